import KcdCore
import KcdJSON
import KcdKube
import Synchronization

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
  let verifications: VerificationRuns?
  let settings: RolloutSettings
  let clock: @Sendable () -> Double
  /// Generations of rollouts in flight not written to the status yet (see `RolloutInput`).
  let generations: GenerationMemo
  /// Copies intake just wrote (fresher than the cache until the watch catches up).
  let hints: KCDHints
  /// The API version each workload kind is patched through.
  let resources: WorkloadResources
  /// Takes rollout outcomes for the configured receivers (it only queues them).
  var notifier: Notifier? = nil
  /// Workload patches of one pass go out this many at a time.
  static let patchWidth = 4

  /// A pass can loop (write, patch, record, finish, start the next request); more than this
  /// many steps means something is wrong: stop and look again later.
  static let maximumSteps = 32

  /// Looks at one KCD; returns seconds until it should be looked at again, or nil.
  func reconcile(key: String) throws(KubeError) -> Double? {
    if let cached = hints.take(key) ?? kcds.get(key) {
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
      if let v = input.kcd.status.verification, let runs = verifications { input.verifications = runs.answers(key: input.kcd.key, verification: v) }
      input.patchedGenerations = input.kcd.status.rollout.map { generations.get(input.kcd.key, rollout: $0.id) } ?? [:]
      let decision = RolloutMachine.next(input)
      let patches = decision.actions.compactMap { if case .patch(let p) = $0 { return p } else { return nil } }
      if patches.count > 1 {
        // Independent workloads: patched side by side, the results applied in order.
        try patchAll(patches, input: &input)
        for action in decision.actions where !action.isPatch { try apply(action, to: &input) }
      } else {
        for action in decision.actions { try apply(action, to: &input) }
      }
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
      resolutions.submit(key: input.kcd.key, namespace: input.kcd.namespace, imageRepo: spec.imageRepo, request: request, confirm: confirm,
                         policy: spec.versionPolicy)
    case .verify(let step, let index, let candidate):
      guard let verifications, let v = input.kcd.status.verification else { return }
      verifications.submit(key: input.kcd.key, verification: v, step: step, index: index, candidate: candidate)
    case .syncHistory(let name, let records, let limit, let key):
      let (ns, owner) = (input.kcd.namespace, input.kcd.name)
      project(key, into: &input) { (writer: ConfigMapWriter) throws(KubeError) in
        try writer.update(namespace: ns, name: name, kcd: owner) { data in
          var d = data
          d["history"] = ConfigMapWriter.mergedHistory(data["history"], records, limit: limit)
          return d
        }
      }
    case .writeConfig(let target, let version, let key):
      let (ns, owner) = (input.kcd.namespace, input.kcd.name)
      project(key, into: &input) { (writer: ConfigMapWriter) throws(KubeError) in
        try writer.update(namespace: ns, name: target.name, kcd: owner) { data in
          var d = data
          d[target.key] = version
          return d
        }
      }
    case .readService(let name):
      try readService(name, input: &input)
    case .patchService(let p):
      try patchService(p, input: &input)
    case .scale(let s):
      try scale(s, input: &input)
    case .rememberGeneration(let ref, let generation):
      if let rollout = input.kcd.status.rollout { generations.set(input.kcd.key, rollout: rollout.id, ref, generation) }
    case .inspectPods(let ref, let labels):
      let query = labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",")
      // No answer is no information: the check is skipped this time, not failed. A refusal
      // (RBAC) is said, since pod failures then go unseen until the deadline.
      do {
        let pods = try client.list(.pods, namespace: ref.namespace, labelSelector: query, options: KubeCallOptions.normal.withoutWaiting).items
        input.pods[ref] = pods.map(PodSummary.init(json:))
      } catch {
        input.pods[ref] = []
        if error.status == 403 {
          log.warn("cannot list pods: failing pods are not seen before the rollout's deadline", [("kcd", input.kcd.key), ("error", error.description)])
        }
      }
    case .event(let note):
      let target = note.on.map { ref in (input.workload(ref) ?? Workload(ref: ref)).objectReference(resources) } ?? input.kcd.ref
      events.record(target, type: note.kind.rawValue, reason: note.reason, message: note.message)
    case .digestMismatch(let source):
      metrics.increment(ControllerMetrics.digestMismatches, [source])
      log.warn("event not deployed: the registry contradicts its digest", [("kcd", input.kcd.key), ("source", source)])
    case .finished(let result, let seconds, let sinceEvent):
      metrics.increment(ControllerMetrics.rolloutsTotal, [result == .success ? "success" : "failed"])
      metrics.observe(ControllerMetrics.rolloutDuration, [], seconds)
      if result == .success { metrics.observe(ControllerMetrics.eventToAvailable, [], sinceEvent) }
      log.info(result == .success ? "rollout succeeded" : "rollout failed", [("kcd", input.kcd.key), ("result", result.rawValue)])
    case .notify(let outcome):
      notifier?.enqueue(outcome)
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

  /// Runs one ConfigMap copy; its success or refusal goes back to the machine (a copy never
  /// fails the pass: the rollout it records is already in the status).
  func project(_ key: String, into input: inout RolloutInput, _ write: (ConfigMapWriter) throws(KubeError) -> Void) {
    do throws(KubeError) {
      try write(ConfigMapWriter(client: client))
      input.projected.insert(key)
    } catch {
      input.projectionFailures[key] = "cannot write the ConfigMap: \(error.description.prefix(300))"
      log.warn("cannot write a ConfigMap kcd keeps", [("kcd", input.kcd.key), ("error", error.description)])
    }
  }

  func patch(_ p: WorkloadPatch, input: inout RolloutInput) throws(KubeError) {
    try patchAll([p], input: &input)
  }

  /// Sends the patches (several at once), then applies what each answered to the input: the
  /// workload as patched, its generation remembered, or the refusal.
  func patchAll(_ patches: [WorkloadPatch], input: inout RolloutInput) throws(KubeError) {
    guard input.fresh else {
      log.error("refused to patch from an unconfirmed copy", [("kcd", input.kcd.key), ("workloads", patches.map(\.ref.description).joined(separator: ", "))])
      throw KubeError(status: 409, reason: "Conflict", message: "patch from an unconfirmed copy refused")
    }
    let outcomes = Mutex<[Int: Result<JSON, KubeError>]>([:])
    ParallelWork.run(count: patches.count, width: RolloutExecutor.patchWidth) { [client, resources] i in
      let p = patches[i]
      let body = ImagePlan.patch(images: p.images.map { ($0.container, $0.image) }, changeCause: p.changeCause, templatePath: p.ref.kind.templatePath)
      do throws(KubeError) {
        let patched = try client.patch(resources.resource(p.ref.kind), namespace: p.ref.namespace, name: p.ref.name, body, type: .strategic,
                                       options: KubeCallOptions.critical.withoutWaiting)
        outcomes.withLock { $0[i] = .success(patched) }
      } catch {
        outcomes.withLock { $0[i] = .failure(error) }
      }
    }
    let results = outcomes.withLock { $0 }
    var retry: KubeError?
    for (i, p) in patches.enumerated() {
      switch results[i] {
      case .success(let patched)?:
        if p.purpose == .rollout { metrics.observe(ControllerMetrics.eventToPatch, [], max(0, Timestamps.now() - p.receivedAt)) }
        let w = Workload(json: patched, kind: p.ref.kind)
        if var list = input.workloads {
          list.removeAll { $0.ref == p.ref }
          list.append(w)
          input.workloads = list
        }
        if p.purpose == .rollout, let rollout = input.kcd.status.rollout {
          generations.set(input.kcd.key, rollout: rollout.id, p.ref, w.generation)
        }
        let type = p.purpose == .rollout ? "Normal" : "Warning"
        events.record(w.objectReference(resources), type: type, reason: p.reason ?? (p.purpose == .rollout ? "ImagePatched" : "RolledBack"), message: p.note)
        if let reason = p.reason { events.record(input.kcd.ref, type: type, reason: reason, message: p.note) }
      case .failure(let error)?:
        // Refusals that retrying cannot fix (RBAC, admission, validation, gone) end the rollout;
        // anything else is retried once the others are recorded.
        if RolloutExecutor.refusedForGood(error) {
          input.refusedPatches[p.ref] = error.description
        } else {
          retry = retry ?? error
        }
      case nil:
        retry = retry ?? KubeError.transport("a patch did not run")
      }
    }
    if let retry { throw retry }
  }
}

extension RolloutAction {
  var isPatch: Bool { if case .patch = self { return true } else { return false } }
}

/// Generations of rollouts in flight, per KCD, that the status does not carry yet. Lost on a
/// restart: the machine then reads them off the workloads that run the rollout's image.
final class GenerationMemo: Sendable {
  let entries = Mutex<[String: (rollout: String, generations: [WorkloadRef: Int64])]>([:])

  func get(_ key: String, rollout: String) -> [WorkloadRef: Int64] {
    entries.withLock { e in e[key].flatMap { $0.rollout == rollout ? $0.generations : nil } ?? [:] }
  }

  func set(_ key: String, rollout: String, _ ref: WorkloadRef, _ generation: Int64) {
    entries.withLock { e in
      if e[key]?.rollout != rollout { e[key] = (rollout, [:]) }
      e[key]?.generations[ref] = generation
    }
  }
}
