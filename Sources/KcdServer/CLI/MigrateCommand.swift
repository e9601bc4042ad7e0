import KcdKube

/// `kcd migrate`: moves the original kcd's `custom.k8s.io/v1` KCDs to `kcd.dev/v1`
/// (docs/migrate.md says what maps to what).
enum MigrateCommand {
  static let command = Command(name: "migrate", summary: "copy the original kcd's custom.k8s.io/v1 KCDs to kcd.dev/v1", usage: """
    Usage: kcd migrate [--dry-run] [--namespace N] [--kubeconfig F] [--context C]

    Copies every custom.k8s.io/v1 KCD (the original kcd's) into kcd.dev/v1 with the same name,
    namespace, labels and spec, and keeps status.currVersion and status.successVersion. Fields
    that do not carry over are reported. An existing kcd.dev/v1 KCD is never changed: if it
    differs, the difference is reported. Safe to run again. Prints one line per KCD:
    created, unchanged, differs, status copied, failed (with --dry-run: would create, would
    copy status), and exits 1 when any KCD differs or failed.

      --dry-run      write nothing; print what would be done
      --namespace N  only this namespace (default: every namespace)
    """) { args in
    let a = try Arguments(args, valueFlags: KCDCommands.connectionFlags.union(["namespace"]), switchFlags: ["dry-run"])
    guard a.positionals.isEmpty else { throw UsageError("unexpected argument \(a.positionals[0])") }
    let migration = Migration(client: try KCDCommands.client(a), namespace: a.value("namespace"), dryRun: a.has("dry-run"))
    let rows: [Migration.Row]
    do throws(KubeError) { rows = try migration.run() } catch {
      guard error.isNotFound else { throw error }
      Console.out("Nothing to migrate: this cluster serves no custom.k8s.io/v1 KCDs (the original kcd's CRD is not installed).")
      return 0
    }
    guard !rows.isEmpty else {
      Console.out("Nothing to migrate: no custom.k8s.io/v1 KCDs found.")
      return 0
    }
    var table = [["NAMESPACE", "NAME", "ACTION", "NOTES"]]
    for r in rows { table.append([r.namespace, r.name, r.action.rawValue, r.notes.isEmpty ? "-" : r.notes.joined(separator: "; ")]) }
    Console.out((migration.dryRun ? "Dry run: nothing was written.\n" : "") + KCDCommands.table(table))
    let attention = rows.filter(\.action.needsAttention).count
    if attention > 0 { KcdCLI.printError("\(attention) of \(rows.count) KCDs not migrated; see the notes above") }
    return attention > 0 ? 1 : 0
  }
}
