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
    let version = a.value("version")
    return try KCDCommands.run(client, ns, name) { kcd in try KCDRequests.rollback(kcd, version: version) }
  }
}
