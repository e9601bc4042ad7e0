import KcdJSON
import KcdKube

/// `kcd migrate`: copies every `custom.k8s.io/v1` KCD into `kcd.dev/v1`. Never overwrites:
/// an existing object that differs is reported and left alone, so running it twice is safe.
struct Migration {
  let client: KubeClient
  /// Nil: every namespace.
  let namespace: String?
  let dryRun: Bool

  /// One line of the report.
  struct Row: Sendable, Equatable {
    enum Action: String, Sendable {
      case created, unchanged, differs, statusCopied = "status copied", wouldCreate = "would create", wouldCopyStatus = "would copy status", failed
      /// Something the user has to look at: the command then exits non-zero.
      var needsAttention: Bool { self == .differs || self == .failed }
    }
    var namespace: String
    var name: String
    var action: Action
    var notes: [String]
  }

  /// The original objects; a 404 means the original CRD is not installed (nothing to do).
  func originals() throws(KubeError) -> [JSON] {
    try client.list(OriginalKCD.resource, namespace: namespace).items
      .sorted { ($0["metadata"]["namespace"].stringValue ?? "", $0["metadata"]["name"].stringValue ?? "") < ($1["metadata"]["namespace"].stringValue ?? "", $1["metadata"]["name"].stringValue ?? "") }
  }

  func run() throws(KubeError) -> [Row] {
    try originals().map(migrate)
  }

  func migrate(_ original: JSON) -> Row {
    let mapped: MigratedKCD
    switch MigratedKCD.from(original) {
    case .success(let m): mapped = m
    case .failure(let f):
      return Row(namespace: original["metadata"]["namespace"].stringValue ?? "", name: original["metadata"]["name"].stringValue ?? "", action: .failed, notes: [f.message])
    }
    var row = Row(namespace: mapped.namespace, name: mapped.name, action: .unchanged, notes: mapped.notes)
    do throws(KubeError) {
      let existing: JSON?
      do throws(KubeError) { existing = try client.get(.kcds, namespace: mapped.namespace, name: mapped.name) } catch {
        guard error.isNotFound else { throw error }
        existing = nil
      }
      if let existing {
        let differences = mapped.differences(from: existing)
        if !differences.isEmpty {
          row.action = .differs
          row.notes.insert("kcd.dev/v1 object exists and differs in \(differences.joined(separator: ", ")); left unchanged", at: 0)
        } else if mapped.statusMissing(in: existing) {
          row.action = dryRun ? .wouldCopyStatus : .statusCopied
          if !dryRun { try writeStatus(mapped) }
        }
        return row
      }
      row.action = dryRun ? .wouldCreate : .created
      if dryRun { return row }
      _ = try client.create(.kcds, namespace: mapped.namespace, mapped.object)
      do { try writeStatus(mapped) } catch {
        row.action = .failed
        row.notes.insert("created, but the status was not copied (\(error.description)); run again to copy it", at: 0)
      }
    } catch {
      row.action = .failed
      let hint = error.isNotFound ? " (is the kcd.dev CRD installed?)" : ""
      row.notes.insert(error.description + hint, at: 0)
    }
    return row
  }

  /// currVersion/successVersion through the status subresource (a create ignores status).
  func writeStatus(_ mapped: MigratedKCD) throws(KubeError) {
    guard !mapped.status.isEmpty else { return }
    _ = try client.patch(.kcds, namespace: mapped.namespace, name: mapped.name, ["status": .object(mapped.status)], type: .merge, subresource: "status")
  }
}
