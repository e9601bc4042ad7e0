import KcdCore
import KcdJSON
import KcdKube

/// Performs what the rollout machine decides, one pass per KCD: runs the machine, applies its
/// actions (status writes with the copy's resourceVersion as precondition, workload patches,
/// registry look-ups, pod listings, Events, metrics), feeds the results back, and repeats until
/// the machine waits. It refuses to patch a workload before a precondition-carrying status
/// write of the same pass succeeded, whatever the machine says.
struct RolloutExecutor {
  let client: KubeClient
  let events: EventRecorder
  let metrics: MetricsRegistry
  let log: Logger
  let kcds: KCDCache
  let workloads: WorkloadCache
  /// The workload caches are synced (else the machine is told it cannot know the workloads).
  let workloadsSynced: @Sendable () -> Bool
  let resolutions: DigestResolutions?
  let settings: RolloutSettings
  let clock: @Sendable () -> Double

  /// A pass can loop (write, patch, record, finish, start the next request); more than this
  /// many steps means something is wrong: stop and look again later.
  static let maximumSteps = 32

  /// Looks at one KCD; returns seconds until it should be looked at again, or nil.
  func reconcile(key: String) throws(KubeError) -> Double? {
    if let cached = kcds.get(key) {
      do { return try run(cached) } catch {
        guard error.isConflict else { throw error }
      }
    }
    let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
    guard parts.count == 2 else { return nil }
    let fresh: ListedObject
    do {
      fresh = try client.requestObject("GET", KubeResource.kcds.path(namespace: parts[0], name: parts[1]), options: KubeCallOptions.normal.withoutWaiting)
    } catch {
      if error.isNotFound { return nil }
      throw error
    }
    return try run(KCD(json: fresh.object, truncated: fresh.truncated))
  }

  func run(_ kcd: KCD) throws(KubeError) -> Double? {
    var input = RolloutInput(kcd: kcd, workloads: workloadsSynced() ? workloads.inNamespace(kcd.namespace) : nil, now: clock(), settings: settings)
    if let r = kcd.pendingRequest { input.resolution = resolutions?.answer(key: kcd.key, request: r) }
    for _ in 0..<RolloutExecutor.maximumSteps {
      let decision = RolloutMachine.next(input)
      for action in decision.actions { try apply(action, to: &input) }
      switch decision.next {
      case .again: input.now = clock()
      case .requeue(let after): return after
      case .idle: return nil
      }
    }
    log.warn("reconcile did not settle; looking again shortly", [("kcd", kcd.key)])
    return 1
  }

  func apply(_ action: RolloutAction, to input: inout RolloutInput) throws(KubeError) {
    switch action {
    case .writeStatus(let status, let priority):
      try writeStatus(status, priority: priority, input: &input)
    case .patch(let p):
      try patch(p, input: &input)
    case .resolve(let request, let confirm):
      guard let resolutions, let spec = input.kcd.spec else { return }
      resolutions.submit(key: input.kcd.key, namespace: input.kcd.namespace, imageRepo: spec.imageRepo, request: request, confirm: confirm)
    case .inspectPods(let ref, let labels):
      let query = labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",")
      // No answer is no information: the check is skipped this time, not failed.
      let pods = (try? client.list(.pods, namespace: ref.namespace, labelSelector: query, options: KubeCallOptions.normal.withoutWaiting).items) ?? []
      input.pods[ref] = pods.map(PodSummary.init(json:))
    case .event(let note):
      let target = note.on.map { ref in input.workload(ref)?.objectReference ?? Workload(ref: ref).objectReference } ?? input.kcd.ref
      events.record(target, type: note.kind.rawValue, reason: note.reason, message: note.message)
    case .digestMismatch(let source):
      metrics.increment(ControllerMetrics.digestMismatches, [source])
      log.warn("event not deployed: the registry contradicts its digest", [("kcd", input.kcd.key), ("source", source)])
    case .finished(let result, let seconds):
      metrics.increment(ControllerMetrics.rolloutsTotal, [result == .success ? "success" : "failed"])
      metrics.observe(ControllerMetrics.rolloutDuration, [], seconds)
      log.info(result == .success ? "rollout succeeded" : "rollout failed", [("kcd", input.kcd.key), ("result", result.rawValue)])
    }
  }

  /// Merge patch of the status subresource: the fields that changed, removed ones as null,
  /// with the copy's resourceVersion as precondition (a stale copy gets 409).
  func writeStatus(_ status: KCDStatus, priority: RequestPriority, input: inout RolloutInput) throws(KubeError) {
    let kcd = input.kcd
    let old = kcd.status.json, new = status.json
    guard old != new else { return }
    let patch: JSON = ["metadata": ["resourceVersion": .string(kcd.resourceVersion)], "status": JSON.mergePatch(from: old, to: new)]
    let updated = try client.requestObject("PATCH", KubeResource.kcds.path(namespace: kcd.namespace, name: kcd.name, subresource: "status"),
                                           query: [("fieldManager", client.fieldManager)], body: patch, contentType: KubeClient.PatchType.merge.rawValue,
                                           options: KubeCallOptions(priority: priority, waitsOnRetryAfter: false))
    input.kcd = KCD(json: updated.object, truncated: updated.truncated)
    input.fresh = true
  }

  func patch(_ p: WorkloadPatch, input: inout RolloutInput) throws(KubeError) {
    guard input.fresh else {
      log.error("refused to patch from an unconfirmed copy", [("kcd", input.kcd.key), ("workload", p.ref.description)])
      throw KubeError(status: 409, reason: "Conflict", message: "patch from an unconfirmed copy refused")
    }
    let body = ImagePlan.patch(images: p.images.map { ($0.container, $0.image) }, changeCause: p.changeCause, templatePath: p.ref.kind.templatePath)
    let patched: JSON
    do {
      patched = try client.patch(p.ref.kind.resource, namespace: p.ref.namespace, name: p.ref.name, body, type: .strategic,
                                 options: KubeCallOptions.critical.withoutWaiting)
    } catch {
      // Refusals that retrying cannot fix (RBAC, admission, validation, gone) end the rollout.
      guard (400..<500).contains(error.status) && error.status != 409 && error.status != 429 else { throw error }
      input.refusedPatches[p.ref] = error.description
      return
    }
    if p.purpose == .rollout { metrics.observe(ControllerMetrics.eventToPatch, [], max(0, Timestamps.now() - p.receivedAt)) }
    let w = Workload(json: patched, kind: p.ref.kind)
    if var list = input.workloads {
      list.removeAll { $0.ref == p.ref }
      list.append(w)
      input.workloads = list
    }
    events.record(w.objectReference, type: p.purpose == .rollout ? "Normal" : "Warning", reason: p.purpose == .rollout ? "ImagePatched" : "RolledBack",
                  message: p.note)
  }
}
