import KcdCore
import KcdHooks
import KcdJSON
import KcdKube

/// One rollout of one KCD: start (record it in the status, then patch the workloads pinned by
/// digest), track (kubectl's rules, stuck pods, the KCD's deadline) and finish (status, Events,
/// metrics). Everything needed to resume lives in `status.rollout`, so a new leader picks up
/// where the old one stopped.
struct RolloutRun {
  let reconciler: Reconciler
  let kcd: JSON
  let spec: KCDSpec

  var client: KubeClient { reconciler.client }
  var key: String { Informer.key(kcd) }

  /// How often a rollout in flight is looked at without news; Deployment changes wake it sooner.
  static let trackInterval = 5.0
  /// Pods are inspected for states that never recover once the rollout is this old (the
  /// Deployment's own status covers the first seconds; pod lists cost an API call each).
  static let podCheckAfter = 3.0

  /// The version name kcd writes in front of the digest: what CI said, else the tag when it
  /// looks like a version, else the digest's first 12 hex digits.
  func version(for request: RequestedRollout, digest: String) -> String {
    if let v = request.version { return v }
    if let t = request.tag, spec.isVersion(t) { return t }
    if let sibling = reconciler.resolver?.tags(repository: spec.imageRepo, pointingAt: digest)?.sorted().first(where: spec.isVersion) { return sibling }
    return String(digest.dropFirst(7).prefix(12))
  }

  enum Confirmation {
    case digest(String)
    /// Nothing to deploy; the reason has been reported.
    case skip(String)
    /// The registry could not answer now; try again later.
    case retry(String)
  }

  /// The digest to deploy: a signed CI digest as is (when trusted), anything else confirmed
  /// with the registry — a mismatch between claim and registry is reported, never deployed.
  func confirm(_ request: RequestedRollout) -> Confirmation {
    if request.source == "ci", let d = request.digest, reconciler.trustSignedDigests { return .digest(d) }
    // The poller read this digest from the registry a moment ago.
    if request.source == "poll", let d = request.digest { return .digest(d) }
    guard let resolver = reconciler.resolver, let tag = request.tag else {
      if let d = request.digest, request.source == "ci" { return .digest(d) }
      return .skip("event \(request.id) carried no digest and no registry client is configured to resolve \(spec.imageRepo):\(request.tag ?? "?")")
    }
    do {
      let actual = try resolver.digest(repository: spec.imageRepo, tag: tag)
      if let claimed = request.digest, claimed != actual {
        reconciler.metrics.increment(ControllerMetrics.digestMismatches, [request.source])
        return .skip("the \(request.source) event claims \(spec.imageRepo):\(tag) is \(claimed) but the registry says \(actual); not deployed")
      }
      return .digest(actual)
    } catch {
      return .retry("cannot resolve \(spec.imageRepo):\(tag): \(error)")
    }
  }

  func start(_ request: RequestedRollout) throws(KubeError) -> Double? {
    let lastEvent: JSON = ["source": .string(request.source), "id": .string(request.id), "receivedAt": .string(Timestamps.microTime(request.receivedAt))]
    let digest: String
    switch confirm(request) {
    case .digest(let d): digest = d
    case .skip(let why):
      reconciler.events.record(kcd, type: "Warning", reason: request.digest == nil ? "DigestUnknown" : "DigestMismatch", message: why)
      reconciler.log.warn("event not deployed", [("kcd", key), ("reason", why)])
      try reconciler.updateStatus(kcd) { $0["lastEvent"] = lastEvent; $0["message"] = .string(why) }
      return nil
    case .retry(let why):
      reconciler.log.warn("registry look-up failed; will retry", [("kcd", key), ("error", why)])
      try reconciler.updateStatus(kcd) { $0["message"] = .string(why) }
      return 10
    }
    if digest == kcd["status"]["failedDigest"].stringValue {
      try reconciler.updateStatus(kcd) { $0["lastEvent"] = lastEvent }
      return nil
    }
    let version = version(for: request, digest: digest)
    let image = ImagePlan.pinnedImage(repository: spec.imageRepo, version: version, digest: digest)
    var workloads: [JSON] = []
    for (kind, w) in selectedWorkloads() {
      let containers = ImagePlan.containers(in: kind.template(of: w), spec: spec)
      if containers.isEmpty { continue }
      let previous = ImagePlan.images(in: kind.template(of: w), containers: containers)
      workloads.append(["kind": .string(kind.rawValue), "name": .string(w.name), "containers": .array(containers.map { .string($0) }),
                        "previous": .object(previous.mapValues { .string($0) })])
    }
    if workloads.isEmpty {
      let message = "no workload in \(kcd.namespace) matches the selector and runs \(spec.imageRepo)"
      reconciler.events.record(kcd, type: "Warning", reason: "NoWorkload", message: message)
      try reconciler.updateStatus(kcd) { s in
        s["lastEvent"] = lastEvent
        s["message"] = .string(message)
        KCDStatus.set([KCDStatus.condition("Ready", "False", reason: "NoWorkload", message: message, generation: kcd.generation, previous: s)], in: &s)
      }
      return nil
    }
    let now = Timestamps.now()
    let trigger = "\(request.source):\(request.id)"
    let rollout: JSON = ["id": .string(request.id), "trigger": .string(trigger), "image": .string(image), "digest": .string(digest),
                         "version": .string(version), "startedAt": .string(Timestamps.microTime(now)),
                         "receivedAt": .string(Timestamps.microTime(request.receivedAt)), "workloads": .array(workloads)]
    let names = workloads.map { "\($0["kind"].stringValue ?? "") \($0["name"].stringValue ?? "")" }.joined(separator: ", ")
    let updated = try reconciler.updateStatus(kcd) { s in
      s["currStatus"] = "Progressing"
      s["currVersion"] = .string(version)
      s["currDigest"] = .string(digest)
      s["currStatusTime"] = .string(Timestamps.rfc3339(now))
      s["lastEvent"] = lastEvent
      s["rollout"] = rollout
      s["message"] = .string("rolling out \(image)")
      KCDStatus.set([
        KCDStatus.condition("Progressing", "True", reason: "RolloutStarted", message: "rolling out \(version) to \(names)", generation: kcd.generation, previous: s),
        KCDStatus.condition("Ready", "False", reason: "RolloutInProgress", message: "rolling out \(version)", generation: kcd.generation, previous: s),
      ], in: &s)
      KCDStatus.record(history: ["version": .string(version), "digest": .string(digest), "result": "Progressing",
                                 "startedAt": .string(Timestamps.rfc3339(now)), "trigger": .string(trigger)], in: &s)
    }
    reconciler.events.record(kcd, type: "Normal", reason: "RolloutStarted", message: "Rolling out \(image) to \(names) (event \(request.source) \(request.id))")
    reconciler.log.info("rollout started", [("kcd", key), ("image", image), ("trigger", trigger)])
    return try RolloutRun(reconciler: reconciler, kcd: updated, spec: spec).track(receivedAt: request.receivedAt)
  }

  /// The workloads of the KCD's namespace its selector picks, every kind, in a stable order.
  func selectedWorkloads() -> [(kind: WorkloadKind, object: JSON)] {
    let all = reconciler.workloads(kcd.namespace) ?? WorkloadKind.allCases.flatMap { kind in
      ((try? client.list(kind.resource, namespace: kcd.namespace).items) ?? []).map { (kind, $0) }
    }
    // A workload another controller owns (a Deployment's ReplicaSets) is that controller's to change.
    return all.filter { spec.selects(labels($0.object)) && !WorkloadKind.isControlled($0.object) }.sorted { ($0.kind.rawValue, $0.object.name) < ($1.kind.rawValue, $1.object.name) }
  }

  func labels(_ o: JSON) -> [String: String] {
    (o["metadata"]["labels"].objectValue ?? [:]).compactMapValues(\.stringValue)
  }

  /// Follows the rollout in `status.rollout`; `receivedAt` (first pass only) times event → patch.
  func track(receivedAt: Double? = nil) throws(KubeError) -> Double? {
    let rollout = kcd["status"]["rollout"]
    guard let image = rollout["image"].stringValue else { return nil }
    var workloads = rollout["workloads"].arrayValue ?? []
    // A rollback an earlier pass (or leader) started is finished first.
    let rollback = rollout["rollback"]
    if let reason = rollback["reason"].stringValue {
      return try finish(success: false, reason: reason, message: rollback["message"].stringValue ?? reason, workloads: workloads)
    }
    // The deadline holds whatever else fails (an API that keeps refusing must not keep the KCD
    // Progressing, and newer requests waiting, forever).
    if let started = rollout["startedAt"].stringValue.flatMap(Timestamps.parse), Timestamps.now() - started > Double(spec.timeoutSeconds) + 30 {
      return try finish(success: false, reason: "Timeout", message: "rollout did not finish within \(spec.timeoutSeconds) s", workloads: workloads)
    }
    var changed = false
    var waiting: [String] = []
    var failure: (reason: String, message: String)?
    for (i, w) in workloads.enumerated() {
      let name = w["name"].stringValue ?? ""
      let kind = WorkloadKind(rawValue: w["kind"].stringValue ?? "") ?? .deployment
      let what = "\(kind.rawValue) \(kcd.namespace)/\(name)"
      let plan = ImagePlan(containers: w["containers"].arrayValue?.compactMap(\.stringValue) ?? [], image: image)
      var d = reconciler.workload(kind, kcd.namespace, name)
      if d == nil { d = try? client.get(kind.resource, namespace: kcd.namespace, name: name) }
      guard var deployment = d else {
        failure = ("WorkloadDeleted", "\(what) no longer exists")
        break
      }
      let recorded = w["generation"].intValue
      if let g = recorded, deployment.generation < g {
        // The cache has not seen our patch yet; read the live object.
        deployment = try client.get(kind.resource, namespace: kcd.namespace, name: name)
      }
      if !plan.isApplied(to: kind.template(of: deployment)) {
        if recorded != nil {
          failure = ("Superseded", "\(what) was changed to another image during the rollout")
          break
        }
        do throws(KubeError) {
          deployment = try client.patch(kind.resource, namespace: kcd.namespace, name: name,
                                        plan.patch(changeCause: "kcd: \(kcd.namespace)/\(kcd.name) rolled out \(image)", templatePath: kind.templatePath), type: .strategic)
        } catch {
          // Refusals that retrying cannot fix (RBAC, admission, validation) end the rollout.
          if (400..<500).contains(error.status) && error.status != 409 && error.status != 429 {
            failure = ("PatchRejected", "\(what): the API refused the patch: \(error.description)")
            break
          }
          throw error
        }
        if let r = receivedAt { reconciler.metrics.observe(ControllerMetrics.eventToPatch, [], max(0, Timestamps.now() - r)) }
        reconciler.events.record(deployment, type: "Normal", reason: "ImagePatched", message: "kcd set \(plan.containers.joined(separator: ", ")) to \(image)")
      }
      if recorded == nil {
        workloads[i]["generation"] = .int(deployment.generation)
        changed = true
      }
      switch kind.check(deployment) {
      case .done: continue
      case .failed(let reason, let message):
        failure = (reason, "\(what): \(message)")
      case .waiting(let why):
        let selector = kind.podLabels(of: deployment)
        let query = selector.keys.sorted().map { "\($0)=\(selector[$0]!)" }.joined(separator: ",")
        let age = Timestamps.now() - (rollout["startedAt"].stringValue.flatMap(Timestamps.parse) ?? Timestamps.now())
        if age >= RolloutRun.podCheckAfter, let pods = try? client.list(.pods, namespace: kcd.namespace, labelSelector: query).items,
          case .failed(let reason, let message)? = RolloutCheck.stuckPod(pods, image: image)
        {
          failure = (reason, "\(what): \(message)")
        } else {
          waiting.append("\(name): \(why)")
        }
      }
      if failure != nil { break }
    }
    if failure == nil, let started = rollout["startedAt"].stringValue.flatMap(Timestamps.parse), Timestamps.now() - started > Double(spec.timeoutSeconds) {
      failure = ("Timeout", "rollout did not finish within \(spec.timeoutSeconds) s: \(waiting.joined(separator: "; "))")
    }
    if let f = failure { return try finish(success: false, reason: f.reason, message: f.message, workloads: workloads) }
    if waiting.isEmpty { return try finish(success: true, reason: "RolloutSucceeded", message: "\(image) is available", workloads: workloads) }
    if changed {
      try reconciler.updateStatus(kcd) { s in s["rollout"]["workloads"] = .array(workloads) }
    }
    return RolloutRun.trackInterval
  }

  func finish(success: Bool, reason: String, message: String, workloads: [JSON]) throws(KubeError) -> Double? {
    let rollout = kcd["status"]["rollout"]
    let version = rollout["version"].stringValue ?? ""
    let digest = rollout["digest"].stringValue ?? ""
    var kcd = self.kcd
    var result = success ? "Success" : "Failed"
    var message = message
    var restored: [String] = []
    if !success && spec.rollbackEnabled {
      let outcome = try rollBack(reason: reason, message: message, workloads: workloads)
      kcd = outcome.kcd
      restored = outcome.restored
      if !restored.isEmpty {
        result = "RolledBack"
        message += "; rolled back \(restored.joined(separator: ", ")) to the previous images"
      }
      if let note = outcome.note { message += "; \(note)" }
    }
    let now = Timestamps.now()
    _ = try reconciler.updateStatus(kcd) { s in
      s["currStatus"] = .string(result)
      s["currStatusTime"] = .string(Timestamps.rfc3339(now))
      s["message"] = .string(message)
      s["rollout"]["workloads"] = .array(workloads)
      s["rollout"]["finishedAt"] = .string(Timestamps.microTime(now))
      s["rollout"]["result"] = .string(result)
      if success {
        s["successVersion"] = .string(version)
        s["successDigest"] = .string(digest)
      } else {
        s["failedDigest"] = .string(digest)
      }
      if !restored.isEmpty, let good = s["successDigest"].stringValue {
        // What runs now is the last good version again.
        s["currVersion"] = s["successVersion"]
        s["currDigest"] = .string(good)
      }
      KCDStatus.set([
        KCDStatus.condition("Progressing", "False", reason: success ? "RolloutComplete" : reason, message: message, generation: kcd.generation, previous: s),
        KCDStatus.condition("Ready", success ? "True" : "False", reason: success ? "RolloutSucceeded" : (restored.isEmpty ? "RolloutFailed" : "RolledBack"),
                            message: message, generation: kcd.generation, previous: s),
      ], in: &s)
      KCDStatus.record(history: ["version": .string(version), "digest": .string(digest), "result": .string(result),
                                 "startedAt": .string(Timestamps.rfc3339(rollout["startedAt"].stringValue.flatMap(Timestamps.parse) ?? now)),
                                 "finishedAt": .string(Timestamps.rfc3339(now)), "trigger": rollout["trigger"]], in: &s)
    }
    let started = rollout["startedAt"].stringValue.flatMap(Timestamps.parse) ?? now
    reconciler.metrics.increment(ControllerMetrics.rolloutsTotal, [success ? "success" : "failed"])
    reconciler.metrics.observe(ControllerMetrics.rolloutDuration, [], max(0, now - started))
    let image = rollout["image"].stringValue ?? ""
    if success {
      reconciler.events.record(kcd, type: "Normal", reason: "RolloutSucceeded", message: "\(image) rolled out")
    } else {
      reconciler.events.record(kcd, type: "Warning", reason: restored.isEmpty ? "RolloutFailed" : "RolledBack", message: "\(image) failed (\(reason)): \(message)")
      for w in workloads {
        if let name = w["name"].stringValue, let d = reconciler.workload(WorkloadKind(rawValue: w["kind"].stringValue ?? "") ?? .deployment, kcd.namespace, name) {
          reconciler.events.record(d, type: "Warning", reason: "RolloutFailed", message: "\(image): \(message)")
        }
      }
    }
    reconciler.log.info(success ? "rollout succeeded" : "rollout failed", [("kcd", key), ("image", image), ("reason", reason), ("message", message)])
    // A newer request may have queued behind this rollout.
    return 0
  }
}

/// Metric names (contract: SPEC §5).
public enum ControllerMetrics {
  public static let eventToPatch = "kcd_event_to_patch_seconds"
  public static let rolloutsTotal = "kcd_rollouts_total"
  public static let rolloutDuration = "kcd_rollout_duration_seconds"
  public static let queueDepth = "kcd_queue_depth"
  public static let leader = "kcd_leader"
  public static let kubeRequests = "kcd_kube_requests_total"
  public static let hookRequests = "kcd_hook_requests_total"
  public static let registryRequests = "kcd_registry_requests_total"
  public static let digestMismatches = "kcd_digest_mismatch_total"

  public static func register(_ m: MetricsRegistry) {
    m.histogram(eventToPatch, help: "Seconds from webhook receipt to the workload patch being accepted.",
                buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
    m.counter(rolloutsTotal, help: "Rollouts finished, by result.", labels: ["result"])
    m.histogram(rolloutDuration, help: "Seconds from rollout start to its result.", buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600])
    m.gauge(queueDepth, help: "KCDs waiting to be reconciled.")
    m.gauge(leader, help: "1 when this replica is the leader.")
    m.counter(kubeRequests, help: "Kubernetes API requests, by verb and status code.", labels: ["verb", "code"])
    m.counter(hookRequests, help: "Webhook requests, by source and status code.", labels: ["source", "code"])
    m.counter(registryRequests, help: "Registry requests, by registry host and status code.", labels: ["registry", "code"])
    m.counter(digestMismatches, help: "Events whose claimed digest the registry contradicted, by source.", labels: ["source"])
  }
}
