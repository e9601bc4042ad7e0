import KcdController
import KcdCore
import KcdCrypto
import KcdHooks
import KcdJSON
import KcdKube

/// `kcd rollback NAMESPACE/NAME [--version V]`: asks kcd to put an earlier version back. It
/// records a request on the KCD (as a webhook would, with the user's own credentials: RBAC
/// `patch` on kcds decides who may); the reconciler performs it with the KCD's strategy and
/// records it in the history. The failed-digest rule and stream mode's regression check do not
/// apply to an explicit rollback.
enum RollbackCommand {
  static let command = Command(name: "rollback", summary: "roll a KCD back to an earlier version", usage: """
    Usage: kcd rollback NAMESPACE/NAME [--version V] [--kubeconfig F] [--context C]

    Without --version: the last successful version before the current one (after a failed or
    rolled-back rollout, the last success). With --version: that version, as recorded in the
    KCD's history (status.history). Prints the request; `kcd wait` or `kcd history` follow it.
    """) { args in
    let a = try Arguments(args, valueFlags: KCDCommands.connectionFlags.union(["version"]))
    let (ns, name) = try KCDCommands.target(a)
    let client = try KCDCommands.client(a)
    return try KCDCommands.annotate(client, ns, name) { kcd in
      guard let spec = kcd.spec else { throw UsageError("KCD \(ns)/\(name) is invalid: \(kcd.problems.map(\.message).joined(separator: "; "))") }
      let target = try RollbackCommand.target(kcd.status, version: a.value("version"))
      let id = "rollback-" + Base64.encode(SecureRandom.bytes(9)).replacingSlashes()
      let event = ImageEvent(repository: spec.repository, tag: nil, digest: target.digest, version: target.version, source: RequestedRollout.rollbackSource,
                             deliveryID: id, receivedAt: Timestamps.now())
      let request = RequestedRollout(event: event, recent: kcd.request?.recent ?? [])
      return KCDCommands.Annotation(key: RequestedRollout.annotation, value: request.json.text,
                                    said: "requested: \(ns)/\(name) back to \(target.version) (\(target.digest)) as \(id)")
    }
  }

  /// What to roll back to, from the status.
  static func target(_ s: KCDStatus, version: String?) throws -> (version: String, digest: String) {
    let successes = s.history.filter { $0.result == .success }
    if let version {
      guard let r = successes.first(where: { $0.version == version }) ?? s.history.first(where: { $0.version == version }) else {
        throw UsageError("version \(version) is not in the KCD's history (kcd history shows it)")
      }
      return (r.version, r.digest)
    }
    if s.currStatus == .success || s.currStatus == .progressing {
      guard let r = successes.first(where: { $0.digest != s.currDigest }) else {
        throw UsageError("no earlier successful version in the KCD's history to roll back to")
      }
      return (r.version, r.digest)
    }
    guard let v = s.successVersion, let d = s.successDigest else { throw UsageError("the KCD has no successful version to roll back to") }
    return (v, d)
  }
}
