/// Checks during a rollout: once the canaries run (`strategy.canary.verify`) and once every
/// workload runs the new version (`strategy.verify`). They use `status.verification` as the
/// checks before a rollout do (written before any check runs, each answer recorded, resumed
/// after a restart), bounded by the rollout's deadline. A failure fails the rollout, which rolls
/// back what was patched when rollback is on.
extension RolloutMachine {
  enum StageOutcome {
    case passed
    case waiting(RolloutDecision)
    case failed(String)
  }

  static func stageChecks(_ input: RolloutInput, rollout: ActiveRollout, steps: [VerifyStep], phase: Verification.Phase, policy: RolloutPolicy,
                          targets: [RolloutTarget]) -> StageOutcome {
    let kcd = input.kcd
    // The checks come from the spec: one that turned invalid mid-rollout cannot say which, so
    // the stage fails rather than passing unchecked.
    guard kcd.spec != nil else { return .failed("the KCD's spec became invalid during the rollout; its checks cannot run") }
    guard !steps.isEmpty else { return .passed }
    guard input.settings.canVerify else { return .failed("this kcd has no verifier configured for \(steps.map(\.kind).joined(separator: ", "))") }
    let candidate = VerificationCandidate(kcd: kcd.ref, repository: kcd.spec?.imageRepo ?? "", image: rollout.image, digest: rollout.digest,
                                          version: rollout.version, trigger: rollout.trigger,
                                          workloads: targets.filter { phase != .canary || $0.canary }.map { "\($0.kind.rawValue)/\($0.name)" },
                                          requestID: rollout.id, phase: phase, generation: kcd.generation)
    guard var v = kcd.status.verification, v.requestID == rollout.id, v.phase == phase, v.digest == rollout.digest,
      v.generation == kcd.generation, v.checks.map(\.kind) == steps.map(\.kind)
    else {
      var s = kcd.status
      s.verification = Verification(requestID: rollout.id, trigger: rollout.trigger, digest: rollout.digest, version: rollout.version,
                                    image: rollout.image, generation: kcd.generation, startedAt: input.now, receivedAt: rollout.receivedAt, steps: steps)
      s.verification?.phase = phase
      s.rollout?.workloads = targets
      let what = phase == .canary ? "the canaries of \(rollout.image)" : phase == .afterSwitch ? "\(rollout.image), now live" : "\(rollout.image), now running"
      s.message = "verifying \(what): \(steps.map(\.kind).joined(separator: ", "))"
      let next = phase == .canary ? "the other workloads" : phase == .afterSwitch ? "scaling the old side down" : "going on"
      let note = EventNote(.normal, "Verifying", "Verifying \(what) (\(steps.count) check(s)) before \(next)")
      return .waiting(RolloutDecision([write(s, kcd, priority: .critical), .event(note)], .again))
    }
    let deadline = rollout.startedAt + policy.timeout
    let (changed, runs) = advance(&v, steps: steps, input: input, candidate: candidate, deadline: deadline, timeoutSeconds: policy.timeoutSeconds)
    if let f = v.failure { return .failed("\(f.kind) check failed: \(f.message ?? "failed")") }
    if v.passed { return .passed }
    var s = kcd.status
    s.verification = v
    return .waiting(RolloutDecision((changed ? [write(s, kcd)] : []) + runs, .requeue(after: max(1, min(30, deadline - input.now + 1)))))
  }

  /// Every workload of the current stage is available: the stage's checks, then the next stage
  /// (the other workloads after the canaries) or the end.
  static func stageDone(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout, targets: [RolloutTarget], remember: [RolloutAction],
                        canaryStage: Bool) -> RolloutDecision {
    let kcd = input.kcd
    if canaryStage {
      switch stageChecks(input, rollout: rollout, steps: kcd.spec?.canary?.verify ?? [], phase: .canary, policy: policy, targets: targets) {
      case .waiting(let d): return RolloutDecision(remember + d.actions, d.next)
      case .failed(let why): return fail(input, policy: policy, rollout: rollout, reason: "CanaryFailed", message: "canary: \(why)", targets: targets)
      case .passed:
        var s = kcd.status
        s.rollout?.workloads = targets
        s.rollout?.canaryPassed = true
        s.verification = nil
        s.message = "rolling out \(rollout.image) to the other workloads"
        let canaries = targets.filter(\.canary).map { "\($0.kind.rawValue) \($0.name)" }.joined(separator: ", ")
        return RolloutDecision(remember + [write(s, kcd, priority: .critical),
                                           .event(EventNote(.normal, "CanaryPassed", "\(canaries) run \(rollout.image); rolling out the other workloads"))], .again)
      }
    }
    switch stageChecks(input, rollout: rollout, steps: kcd.spec?.postVerify ?? [], phase: .afterRollout, policy: policy, targets: targets) {
    case .waiting(let d): return RolloutDecision(remember + d.actions, d.next)
    case .failed(let why): return fail(input, policy: policy, rollout: rollout, reason: "VerificationFailed", message: why, targets: targets)
    case .passed: return succeed(input, rollout: rollout, targets: targets)
    }
  }
}
