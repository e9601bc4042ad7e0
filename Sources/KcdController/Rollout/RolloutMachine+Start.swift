/// Starting a rollout for a pending request: confirm the digest, name the version, pick the
/// workloads, and write all of it to the status before anything is patched.
extension RolloutMachine {
  /// What deploying a request needs from the registry, if anything.
  enum DigestSource: Equatable {
    case known(String)
    case needsRegistry
    case unknown(String)
  }

  static func digestSource(_ r: RequestedRollout, settings: RolloutSettings) -> DigestSource {
    if let d = r.digest, r.source == "ci", settings.trustSignedDigests || !settings.canResolve { return .known(d) }
    // `kcd rollback` names a digest kcd deployed before (from the status).
    if let d = r.digest, r.isExplicitRollback { return .known(d) }
    // The poller read this digest from the registry a moment ago.
    if let d = r.digest, r.source == "poll" { return .known(d) }
    guard settings.canResolve, r.tag != nil else {
      return .unknown("event \(r.id) carried no digest and no registry client is configured to resolve its tag")
    }
    return .needsRegistry
  }

  static func start(_ input: RolloutInput, spec: KCDSpec, request r: RequestedRollout) -> RolloutDecision {
    let kcd = input.kcd
    let lastEvent = KCDStatus.LastEvent(source: r.source, id: r.id, receivedAt: r.receivedAt)
    if spec.suspend {
      guard kcd.status.currStatus != .suspended else { return RolloutDecision([], .idle) }
      var s = kcd.status
      s.currStatus = .suspended
      s.message = "suspended: the requested rollout waits until spec.suspend is false"
      return RolloutDecision([write(s, kcd)], .idle)
    }
    // Not knowing the workloads is not the same as having none.
    guard let workloads = input.workloads else { return RolloutDecision([], .requeue(after: 1)) }
    if let policy = spec.versionPolicy, !r.isExplicitRollback, r.source != RequestedRollout.syncSource, let settled = streamGate(input, policy: policy, tag: r.tag, request: r) { return settled }
    var digest: String
    var versionTags: [String] = []
    var streamTag = spec.versionPolicy == nil || r.isExplicitRollback ? nil : r.tag
    switch (digestSource(r, settings: input.settings), input.resolution) {
    case (.known(let d), _):
      digest = d
      if case .digest(_, let tags)? = input.resolution { versionTags = tags }
      // Naming the version can need the registry too (which tags point at this digest).
      if r.version == nil, !(r.tag.map(spec.isVersion) ?? false), input.settings.canResolve, input.resolution == nil {
        return RolloutDecision([.resolve(r, confirm: false)], .idle)
      }
    case (.unknown(let why), _):
      var s = kcd.status
      s.lastEvent = lastEvent
      s.message = why
      return RolloutDecision([.event(EventNote(.warning, "DigestUnknown", why)), write(s, kcd)], .idle)
    case (.needsRegistry, nil):
      return RolloutDecision([.resolve(r, confirm: true)], .idle)
    case (.needsRegistry, .failed(let why)?):
      var s = kcd.status
      s.message = String(why.prefix(1024))
      return RolloutDecision([write(s, kcd, priority: .background)], .requeue(after: 10))
    case (.needsRegistry, .mismatch(let claimed, let actual)?):
      let why = "the \(r.source) event claims \(spec.imageRepo):\(r.tag ?? "") is \(claimed) but the registry says \(actual); not deployed"
      var s = kcd.status
      s.lastEvent = lastEvent
      s.message = why
      return RolloutDecision([.event(EventNote(.warning, "DigestMismatch", why)), .digestMismatch(source: r.source), write(s, kcd)], .idle)
    case (.needsRegistry, .digest(let d, let tags)?):
      digest = d
      versionTags = tags
    case (.needsRegistry, .newest(let tag, let d)?):
      // A newer version than the event's may have been pushed since: it is checked again.
      if let policy = spec.versionPolicy, tag != r.tag, let settled = streamGate(input, policy: policy, tag: tag, request: r) { return settled }
      digest = d
      streamTag = tag
    }
    if r.source == RequestedRollout.syncSource, digest == kcd.status.currDigest, kcd.status.currStatus == .success {
      var s = kcd.status
      s.lastEvent = lastEvent
      s.message = "sync: \(r.tag ?? "the tag") still points at the deployed \(digest)"
      return RolloutDecision([write(s, kcd, priority: .background)], .again)
    }
    if digest == kcd.status.failedDigest && !r.isExplicitRollback {
      var s = kcd.status
      s.lastEvent = lastEvent
      return RolloutDecision([write(s, kcd)], .again)
    }
    let version = streamTag ?? r.version ?? r.tag.flatMap { spec.isVersion($0) ? $0 : nil } ?? versionTags.sorted().first(where: spec.isVersion)
      ?? String(digest.dropFirst(7).prefix(12))
    let image = ImagePlan.pinnedImage(repository: spec.imageRepo, version: version, digest: digest)
    var targets = selected(workloads, spec: spec)
    var blueGreen: BlueGreenPlan?
    if let bg = spec.blueGreen {
      switch planBlueGreen(input, spec: spec, blueGreen: bg, workloads: workloads, lastEvent: lastEvent) {
      case .decided(let decision): return decision
      case .planned(let plan, let idle): (blueGreen, targets) = (plan, [idle])
      }
    }
    if targets.isEmpty || (spec.canary != nil && !targets.contains { $0.canary }) {
      let message = targets.isEmpty ? "no workload in \(kcd.namespace) matches the selector and runs \(spec.imageRepo)"
        : "no workload the KCD selects matches strategy.canary.selector: a Canary rollout needs at least one canary"
      var s = kcd.status
      s.lastEvent = lastEvent
      s.message = message
      s.conditions.set("Ready", .false, reason: "NoWorkload", message: message, generation: kcd.generation, now: input.now)
      return RolloutDecision([.event(EventNote(.warning, "NoWorkload", message)), write(s, kcd)], .idle)
    }
    if !spec.verify.isEmpty,
      let waiting = verify(input, spec: spec, request: r, digest: digest, version: version, image: image, targets: targets) {
      return waiting
    }
    var approvedBy: String?
    if let approval = spec.approval, !r.isExplicitRollback {
      switch approvalGate(input, approval: approval, request: r, digest: digest, version: version, image: image) {
      case .waiting(let decision): return decision
      case .approved(let by): approvedBy = by
      }
    }
    let trigger = "\(r.source):\(r.id)"
    var rollout = ActiveRollout(id: r.id, trigger: trigger, image: image, digest: digest, version: version, startedAt: input.now,
                                receivedAt: r.receivedAt, workloads: targets)
    rollout.policy = RolloutPolicy(spec: spec)
    rollout.blueGreen = blueGreen
    let names = targets.map { "\($0.kind.rawValue) \($0.name)" }.joined(separator: ", ")
    var s = kcd.status
    // An explicit rollback holds the digest it leaves: the tag (or the newest version) still
    // names it, and the poller or a late webhook must not deploy it again until a new one comes.
    if r.isExplicitRollback, let left = kcd.status.currDigest, left != digest { s.failedDigest = left }
    s.currStatus = .progressing
    s.currVersion = version
    s.currDigest = digest
    s.currStatusTime = input.now
    s.lastEvent = lastEvent
    s.rollout = rollout
    s.message = "rolling out \(image)"
    if let v = s.verification, !spec.verify.isEmpty {
      s.conditions.set("Verified", .true, reason: "VerificationPassed", message: "\(v.checks.count) check(s) passed for \(version)",
                       generation: kcd.generation, now: input.now)
    }
    s.verification = nil
    if let by = approvedBy {
      s.approval = nil
      s.conditions.set("Approved", .true, reason: "Approved", message: "\(version) (\(digest)) approved by \(by)", generation: kcd.generation, now: input.now)
    }
    s.conditions.set("Progressing", .true, reason: "RolloutStarted", message: "rolling out \(version) to \(names)", generation: kcd.generation, now: input.now)
    s.conditions.set("Ready", .false, reason: "RolloutInProgress", message: "rolling out \(version)", generation: kcd.generation, now: input.now)
    var record = RolloutRecord(version: version, digest: digest, result: .progressing, startedAt: input.now, trigger: trigger)
    record.approvedBy = approvedBy
    s.record(record)
    let started = EventNote(.normal, "RolloutStarted",
                            "Rolling out \(image) to \(names) (event \(r.source) \(r.id)\(approvedBy.map { "; approved by \($0)" } ?? ""))")
    return RolloutDecision([write(s, kcd, priority: .critical), .event(started)] + (blueGreen.map { [.event($0.plannedNote(image))] } ?? []), .again)
  }

  /// The workloads the selector picks that run the repository (or the named container), in a
  /// stable order; a workload another controller owns (a Deployment's ReplicaSets) is left to it.
  static func selected(_ workloads: [Workload], spec: KCDSpec) -> [RolloutTarget] {
    workloads.filter { spec.selects($0.labels) && !$0.isControlled }
      .sorted { ($0.ref.kind.rawValue, $0.ref.name) < ($1.ref.kind.rawValue, $1.ref.name) }
      .compactMap { w in
        let containers = ImagePlan.containers(in: w, spec: spec)
        guard !containers.isEmpty else { return nil }
        return RolloutTarget(kind: w.ref.kind, name: w.ref.name, containers: containers, previous: w.images(of: containers),
                             canary: spec.canary?.selects(w.labels) ?? false)
      }
  }
}
