/// KCDs with nothing to roll out: refusing a spec kcd will not act on, and keeping the Ready
/// condition and observedGeneration in step with the spec.
extension RolloutMachine {
  /// Reports the spec's problems once per generation and message (status + Warning Event);
  /// nil when already reported, so a rollout in flight can still be followed.
  static func refuse(_ input: RolloutInput) -> RolloutDecision? {
    let kcd = input.kcd
    let unsupported = kcd.problems.filter { $0.kind == .unsupported }
    let invalid = kcd.problems.filter { $0.kind == .invalid }
    let reason = invalid.isEmpty ? "Unsupported" : "InvalidSpec"
    let message = String(kcd.problems.map(\.message).joined(separator: "; ").prefix(2048))
    let ready = kcd.status.conditions[type: "Ready"]
    if ready?.reason == reason && ready?.message == message && kcd.status.observedGeneration == kcd.generation { return nil }
    var s = kcd.status
    s.message = message
    s.conditions.set("Ready", .false, reason: reason, message: message, generation: kcd.generation, now: input.now)
    var events: [RolloutAction] = []
    if !invalid.isEmpty { events.append(.event(EventNote(.warning, "InvalidSpec", invalid.map(\.message).joined(separator: "; ")))) }
    for p in unsupported { events.append(.event(EventNote(.warning, "Unsupported", p.message))) }
    return RolloutDecision(events + [write(s, kcd)], .again)
  }

  /// Ready and observedGeneration follow the spec; a suspended KCD says so.
  static func settle(_ input: RolloutInput, spec: KCDSpec) -> RolloutDecision {
    if let copies = project(input, spec: spec) { return copies }
    let kcd = input.kcd
    let ready = kcd.status.conditions[type: "Ready"]
    let wasRefused = ready?.reason == "InvalidSpec" || ready?.reason == "Unsupported"
    guard kcd.status.observedGeneration != kcd.generation || ready == nil || wasRefused else { return RolloutDecision([], .idle) }
    var s = kcd.status
    var actions: [RolloutAction] = []
    if !spec.ignoredFields.isEmpty {
      actions.append(.event(EventNote(.warning, "IgnoredField", "\(spec.ignoredFields.joined(separator: ", ")) is accepted for compatibility and ignored")))
    }
    // Suspended says so whatever came before; resuming puts back what the status shows deployed.
    if spec.suspend {
      s.currStatus = .suspended
    } else if s.currStatus == .suspended {
      s.currStatus = s.currDigest != nil && s.currDigest == s.successDigest ? .success : nil
    }
    if wasRefused { s.message = nil }
    switch s.currStatus {
    case .success?:
      s.conditions.set("Ready", .true, reason: "RolloutSucceeded", message: "the last rollout succeeded", generation: kcd.generation, now: input.now)
    case .failed?, .rolledBack?:
      s.conditions.set("Ready", .false, reason: s.currStatus == .failed ? "RolloutFailed" : "RolledBack", message: s.message ?? "the last rollout failed",
                       generation: kcd.generation, now: input.now)
    default:
      s.conditions.set("Ready", .unknown, reason: "NoRolloutYet", message: spec.suspend ? "suspended" : "waiting for an image event",
                       generation: kcd.generation, now: input.now)
    }
    return RolloutDecision(actions + [write(s, kcd)], .idle)
  }
}
