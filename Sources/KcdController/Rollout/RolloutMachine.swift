import KcdKube

/// The rollout state machine: a pure function from (KCD, its workloads and pods, the registry's
/// answer, now) to the next actions. Every state a KCD can be in and every transition is here
/// and in the `RolloutMachine+*.swift` files; the executor only performs what it is told.
///
/// States (`status.currStatus` and `status.rollout`): no rollout or a finished one → a pending
/// request starts one (status written first) → Progressing: patch unpatched workloads (only on a
/// fresh copy), follow them by kubectl's rules → Success, or Failed → with rollback enabled,
/// RolledBack after the recorded images are put back. Suspended holds requests.
public enum RolloutMachine {
  public static func next(_ input: RolloutInput) -> RolloutDecision {
    let kcd = input.kcd
    if !kcd.problems.isEmpty, let refusal = refuse(input) { return refusal }
    // A rollout in flight is followed to its end even when its KCD has turned invalid since:
    // its deadline and rollback switch were recorded when it started.
    if let rollout = kcd.status.rollout, kcd.status.currStatus == .progressing, !rollout.isFinished {
      if let plan = rollout.blueGreen { return trackBlueGreen(input, policy: rollout.policy(kcd.spec), rollout: rollout, plan: plan) }
      return track(input, policy: rollout.policy(kcd.spec), rollout: rollout)
    }
    guard let spec = kcd.spec else { return RolloutDecision([], .idle) }
    guard kcd.problems.isEmpty else { return RolloutDecision([], .idle) }
    if let request = kcd.pendingRequest { return start(input, spec: spec, request: request) }
    return settle(input, spec: spec)
  }

  /// The status with the bookkeeping every write carries.
  static func stamped(_ status: KCDStatus, _ kcd: KCD) -> KCDStatus {
    var s = status
    s.observedGeneration = kcd.generation
    return s
  }

  static func write(_ status: KCDStatus, _ kcd: KCD, priority: RequestPriorityLevel = .normal) -> RolloutAction {
    .writeStatus(stamped(status, kcd), priority: priority.kube)
  }
}

/// Priorities as the machine names them (mapped to the API budget's).
enum RequestPriorityLevel {
  case critical, normal, background

  var kube: RequestPriority {
    switch self {
    case .critical: return .critical
    case .normal: return .normal
    case .background: return .background
    }
  }
}
