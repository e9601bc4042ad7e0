import KcdCore
import KcdHooks
import KcdJSON
import KcdKube

/// Decides and acts for one KCD: validates it, starts a rollout for a newly requested digest,
/// follows the rollout in flight, and finishes it. A pass may start from the informer's copy,
/// but every status write carries that copy's resourceVersion: a stale copy gets 409, and the
/// pass runs again on a fresh read, so two passes can never start the same rollout twice.
struct Reconciler {
  let client: KubeClient
  let events: EventRecorder
  let metrics: MetricsRegistry
  let log: Logger
  /// A workload from the informer cache.
  let workload: @Sendable (WorkloadKind, String, String) -> JSON?
  /// Workloads of a namespace from the informer cache; nil when the cache cannot answer.
  var workloads: @Sendable (String) -> [(kind: WorkloadKind, object: JSON)]? = { _ in nil }
  /// Confirms tag → digest with the registry; nil when no registry client is configured.
  var resolver: (any ImageResolver)? = nil
  /// A signed CI callback's digest is deployed without a registry look-up.
  var trustSignedDigests = true

  /// The informer's copy of a KCD, if it has one.
  var cached: @Sendable (String, String) -> JSON? = { _, _ in nil }

  /// Returns seconds until the KCD should be looked at again, or nil.
  func reconcile(namespace: String, name: String) throws(KubeError) -> Double? {
    if let copy = cached(namespace, name) {
      do { return try pass(copy) } catch {
        guard error.isConflict else { throw error }
      }
    }
    let kcd: JSON
    do { kcd = try client.get(.kcds, namespace: namespace, name: name) } catch {
      if error.isNotFound { return nil }
      throw error
    }
    return try pass(kcd)
  }

  func pass(_ kcd: JSON) throws(KubeError) -> Double? {
    let (parsed, problems) = KCDSpec.parse(kcd)
    guard let spec = parsed else {
      try reportInvalid(kcd, problems)
      return nil
    }
    let status = kcd["status"]
    if status["currStatus"] == "Progressing", !status["rollout"].isNull {
      return try RolloutRun(reconciler: self, kcd: kcd, spec: spec).track()
    }
    if let request = RequestedRollout(kcd: kcd), request.id != status["lastEvent"]["id"].stringValue {
      if spec.suspend {
        try updateStatus(kcd) { s in
          s["currStatus"] = "Suspended"
          s["message"] = "suspended: the requested rollout waits until spec.suspend is false"
        }
        return nil
      }
      return try RolloutRun(reconciler: self, kcd: kcd, spec: spec).start(request)
    }
    if status["observedGeneration"].intValue != kcd["metadata"]["generation"].intValue || status["conditions"].isNull {
      if !spec.ignoredFields.isEmpty {
        events.record(kcd, type: "Warning", reason: "IgnoredField", message: "\(spec.ignoredFields.joined(separator: ", ")) is accepted for compatibility and ignored")
      }
      try updateStatus(kcd) { s in
        if s["currStatus"].isNull || s["currStatus"] == "Suspended" { s["currStatus"] = spec.suspend ? "Suspended" : nil }
        let ready = s["currStatus"] == "Success"
        s["message"] = nil
        KCDStatus.set([KCDStatus.condition("Ready", ready ? "True" : "Unknown", reason: ready ? "RolloutSucceeded" : "NoRolloutYet",
                                           message: ready ? "the last rollout succeeded" : "waiting for an image event",
                                           generation: kcd.generation, previous: s)], in: &s)
      }
    }
    return nil
  }

  func reportInvalid(_ kcd: JSON, _ problems: [String]) throws(KubeError) {
    let message = problems.joined(separator: "; ")
    let status = kcd["status"]
    let ready = (status["conditions"].arrayValue ?? []).first { $0["type"] == "Ready" }
    if ready?["reason"] == "InvalidSpec" && ready?["message"].stringValue == message && status["observedGeneration"].intValue == kcd.generation { return }
    events.record(kcd, type: "Warning", reason: "InvalidSpec", message: message)
    log.warn("invalid KCD", [("kcd", Informer.key(kcd)), ("problems", message)])
    try updateStatus(kcd) { s in
      s["message"] = .string(message)
      KCDStatus.set([KCDStatus.condition("Ready", "False", reason: "InvalidSpec", message: message, generation: kcd.generation, previous: s)], in: &s)
    }
  }

  /// Writes the status (merge patch on the status subresource; kcd is its only writer).
  @discardableResult
  func updateStatus(_ kcd: JSON, _ change: (inout JSON) -> Void) throws(KubeError) -> JSON {
    var status = kcd["status"]
    if status.isNull { status = [:] }
    change(&status)
    status["observedGeneration"] = .int(kcd.generation)
    if case .object(let fields) = status { status = .object(fields.filter { !$0.value.isNull }) }
    if status == kcd["status"] { return kcd }
    // Merge patch: the whole status is sent, with every field it no longer has set to null.
    let patchStatus = JSON.mergePatch(from: kcd["status"], to: status)
    // The resourceVersion is a precondition: a decision made on a stale copy fails with 409.
    return try client.patch(.kcds, namespace: kcd.namespace, name: kcd.name,
                            ["metadata": ["resourceVersion": kcd["metadata"]["resourceVersion"]], "status": patchStatus], type: .merge, subresource: "status")
  }
}

extension JSON {
  var name: String { self["metadata"]["name"].stringValue ?? "" }
  var namespace: String { self["metadata"]["namespace"].stringValue ?? "" }
  var generation: Int64 { self["metadata"]["generation"].intValue ?? 0 }
}
