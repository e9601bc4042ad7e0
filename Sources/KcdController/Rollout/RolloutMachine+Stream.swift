import KcdVersionPolicy

/// Stream mode (`spec.versionPolicy`): a request names a version tag; the newest version the
/// registry has wins, and kcd never moves to a lower version than the one it deployed or is
/// deploying (the regression check), and says so when it refuses.
extension RolloutMachine {
  /// Versions a candidate must be newer than: the last success, and the version deployed or in
  /// flight. A version the policy does not take (the policy changed since) is not compared.
  static func baselines(_ status: KCDStatus) -> [String] {
    var out: [String] = []
    if let v = status.successVersion { out.append(v) }
    let live: Set<KCDStatus.Phase> = [.progressing, .success, .verifying, .awaitingApproval]
    if let v = status.currVersion, let phase = status.currStatus, live.contains(phase), !out.contains(v) { out.append(v) }
    return out
  }

  /// Nil when `tag` may be deployed; else the decision that settles the request: a tag that is
  /// not a version by the policy, an older version (Warning Event), or the same version again.
  static func streamGate(_ input: RolloutInput, policy: VersionPolicy, tag: String?, request r: RequestedRollout) -> RolloutDecision? {
    let kcd = input.kcd
    var s = kcd.status
    s.lastEvent = KCDStatus.LastEvent(source: r.source, id: r.id, receivedAt: r.receivedAt)
    guard let tag, policy.accepts(tag) else {
      s.message = "the \(r.source) event's tag \((tag ?? "").quotedForMessage()) is not a version by the policy (\(policy)); nothing to do"
      return RolloutDecision([write(s, kcd, priority: .background)], .again)
    }
    for base in baselines(kcd.status) {
      guard let order = policy.compare(tag, base), order <= 0 else { continue }
      if order == 0 {
        s.message = "\(tag) is the version already \(kcd.status.currStatus == .progressing ? "rolling out" : "deployed") (\(base)); an equal version is not newer"
        return RolloutDecision([write(s, kcd, priority: .background)], .again)
      }
      let why = "\(tag) is older than \(base), which kcd deployed; stream mode never moves to a lower version (\(policy)). Not deployed"
      s.message = why
      return RolloutDecision([.event(EventNote(.warning, "VersionRegression", why)), write(s, kcd)], .again)
    }
    return nil
  }
}
