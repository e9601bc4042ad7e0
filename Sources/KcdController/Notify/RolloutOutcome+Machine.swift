/// The outcomes the machine reports: read from the KCD as it was before the write that records
/// the end, so "the version before" is still the last success.
extension RolloutOutcome {
  /// A rollout that ended (success, failure, rollback).
  init(finished rollout: ActiveRollout, of kcd: KCD, targets: [RolloutTarget], result: RolloutResult, reason: String, message: String, now: Double) {
    self.init(namespace: kcd.namespace, name: kcd.name, result: result, version: rollout.version, digest: rollout.digest, image: rollout.image,
              reason: reason, message: message, workloads: targets.map { "\($0.kind.rawValue)/\($0.name)" }, trigger: rollout.trigger,
              startedAt: rollout.startedAt, finishedAt: now)
    approvedBy = kcd.status.history.first { $0.trigger == rollout.trigger && $0.digest == rollout.digest }?.approvedBy
    remember(kcd, targets)
  }

  /// A candidate refused by verification (nothing was patched).
  init(refused v: Verification, of kcd: KCD, targets: [RolloutTarget], message: String, now: Double) {
    self.init(namespace: kcd.namespace, name: kcd.name, result: .failed, version: v.version, digest: v.digest, image: v.image,
              reason: "VerificationFailed", message: message, workloads: targets.map { "\($0.kind.rawValue)/\($0.name)" }, trigger: v.trigger,
              startedAt: v.startedAt, finishedAt: now)
    remember(kcd, targets)
  }

  mutating func remember(_ kcd: KCD, _ targets: [RolloutTarget]) {
    previousVersion = kcd.status.successVersion
    previousDigest = kcd.status.successDigest
    previousImage = targets.first.flatMap { t in t.containers.first.flatMap { t.previous[$0] } }
    requested = kcd.notify
  }
}
