/// Pre-rollout verification (`spec.verify`): the candidate is written to `status.verification`
/// (currStatus Verifying) before any check runs; each check's answer is recorded as it comes;
/// all must pass before the rollout starts. One failure ends it: failedDigest, a Warning Event
/// with the reason, nothing patched. A newer request, a different digest or an edited spec
/// starts over; a restart resumes (checks without a result run again).
extension RolloutMachine {
  /// Nil when every check passed (the rollout may start); else what to do meanwhile.
  static func verify(_ input: RolloutInput, spec: KCDSpec, request r: RequestedRollout, digest: String, version: String, image: String,
                     targets: [RolloutTarget]) -> RolloutDecision? {
    let kcd = input.kcd
    let trigger = "\(r.source):\(r.id)"
    guard var v = kcd.status.verification, v.requestID == r.id, v.digest == digest, v.generation == kcd.generation,
      v.checks.count == spec.verify.count, v.checks.map(\.kind) == spec.verify.map(\.kind)
    else {
      // Verifying without a verification: the API server dropped the field kcd wrote (a KCD CRD
      // older than this kcd prunes it; Helm does not upgrade CRDs). Say so instead of looping.
      if kcd.status.currStatus == .verifying && kcd.status.verification == nil {
        let why = "the API server does not keep status.verification: the installed KCD CRD is older than this kcd; apply charts/kcd/crds/kcd.yaml"
        guard kcd.status.message != why else { return RolloutDecision([], .requeue(after: 60)) }
        var s = kcd.status
        s.message = why
        return RolloutDecision([.event(EventNote(.warning, "CRDOutdated", why)), write(s, kcd)], .requeue(after: 60))
      }
      var s = kcd.status
      s.verification = Verification(requestID: r.id, trigger: trigger, digest: digest, version: version, image: image, generation: kcd.generation,
                                    startedAt: input.now, receivedAt: r.receivedAt, steps: spec.verify)
      s.currStatus = .verifying
      s.currStatusTime = input.now
      s.message = "verifying \(image): \(spec.verify.map(\.kind).joined(separator: ", "))"
      s.conditions.set("Verified", .unknown, reason: "Verifying", message: "verifying \(version)", generation: kcd.generation, now: input.now)
      let note = EventNote(.normal, "Verifying", "Verifying \(image) before rolling it out (\(spec.verify.count) check(s); event \(r.source) \(r.id))")
      return RolloutDecision([write(s, kcd, priority: .critical), .event(note)], .again)
    }
    guard input.settings.canVerify else {
      var s = kcd.status
      s.message = "waiting: this kcd has no verifier configured for \(spec.verify.map(\.kind).joined(separator: ", "))"
      return RolloutDecision([write(s, kcd, priority: .background)], .requeue(after: 30))
    }
    let candidate = VerificationCandidate(kcd: kcd.ref, repository: spec.imageRepo, image: image, digest: digest, version: version, trigger: trigger,
                                          workloads: targets.map { "\($0.kind.rawValue)/\($0.name)" }, requestID: r.id, generation: kcd.generation)
    let (changed, runs) = advance(&v, steps: spec.verify, input: input, candidate: candidate, deadline: v.startedAt + Double(spec.timeoutSeconds),
                                  timeoutSeconds: spec.timeoutSeconds)
    let timeout = Double(spec.timeoutSeconds)
    if let failure = v.failure { return verificationFailed(input, request: r, verification: v, failure: failure, targets: targets) }
    var s = kcd.status
    if v.passed {
      // Waiting for an approval next: the results are kept, so a restart does not run the
      // checks again.
      guard changed, spec.approval != nil else { return nil }
      s.verification = v
      s.conditions.set("Verified", .true, reason: "VerificationPassed", message: "\(v.checks.count) check(s) passed for \(version)",
                       generation: kcd.generation, now: input.now)
      return RolloutDecision([write(s, kcd, priority: .critical)], .again)
    }
    s.verification = v
    var actions = runs
    if changed { actions.insert(write(s, kcd), at: 0) }
    return RolloutDecision(actions, .requeue(after: max(1, min(30, v.startedAt + timeout - input.now + 1))))
  }

  static func verificationFailed(_ input: RolloutInput, request r: RequestedRollout, verification v: Verification, failure: Verification.Check,
                                 targets: [RolloutTarget] = []) -> RolloutDecision {
    let kcd = input.kcd
    let why = "verification of \(v.image) failed: \(failure.kind): \(failure.message ?? "failed")"
    var s = kcd.status
    s.verification = v
    s.currStatus = .failed
    s.currStatusTime = input.now
    s.failedDigest = v.digest
    s.lastEvent = KCDStatus.LastEvent(source: r.source, id: r.id, receivedAt: r.receivedAt)
    s.message = String(why.prefix(2048))
    s.conditions.set("Verified", .false, reason: "VerificationFailed", message: String(why.prefix(1024)), generation: kcd.generation, now: input.now)
    s.conditions.set("Ready", .false, reason: "VerificationFailed", message: "\(v.version) was not deployed: it failed verification",
                     generation: kcd.generation, now: input.now)
    s.record(RolloutRecord(version: v.version, digest: v.digest, result: .failed, startedAt: v.startedAt, finishedAt: input.now, trigger: v.trigger))
    return RolloutDecision([.event(EventNote(.warning, "VerificationFailed", String(why.prefix(1024)))), write(s, kcd, priority: .critical),
                            .notify(RolloutOutcome(refused: v, of: kcd, targets: targets, message: s.message ?? why, now: input.now))], .again)
  }

  /// Records what the checks answered, asks again those still open, and fails those still open
  /// past `deadline`. Returns whether `v` changed and the checks to run.
  static func advance(_ v: inout Verification, steps: [VerifyStep], input: RolloutInput, candidate: VerificationCandidate, deadline: Double,
                      timeoutSeconds: Int) -> (changed: Bool, runs: [RolloutAction]) {
    var changed = false
    var runs: [RolloutAction] = []
    for (i, step) in steps.enumerated() where v.checks[i].result == nil {
      switch input.verifications[i] {
      case .passed(let m)?:
        v.checks[i].result = .passed
        v.checks[i].message = String(m.prefix(512))
        changed = true
      case .failed(let m)?:
        v.checks[i].result = .failed
        v.checks[i].message = String(m.prefix(1024))
        changed = true
      case .retry(let m)?:
        if v.checks[i].message != String(m.prefix(512)) {
          v.checks[i].message = String(m.prefix(512))
          changed = true
        }
        runs.append(.verify(step, index: i, candidate: candidate))
      case nil:
        runs.append(.verify(step, index: i, candidate: candidate))
      }
    }
    if v.failure == nil, !v.passed, input.now > deadline {
      for i in v.checks.indices where v.checks[i].result == nil {
        v.checks[i].result = .failed
        v.checks[i].message = "did not finish within the KCD's timeoutSeconds (\(timeoutSeconds) s)"
        changed = true
      }
    }
    return (changed, runs)
  }
}
