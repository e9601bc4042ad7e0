import KcdController
import KcdJSON

/// A `custom.k8s.io/v1` KCD as it becomes a `kcd.dev/v1` one: what to create, the status to
/// keep, and notes on everything that did not carry over unchanged.
struct MigratedKCD: Sendable {
  var namespace: String
  var name: String
  var labels: [String: String]
  var spec: [String: JSON]
  /// `currVersion` / `successVersion` from the original's status.
  var status: [String: JSON]
  var notes: [String]

  /// The object to create (status goes through the subresource afterwards).
  var object: JSON {
    var metadata: [String: JSON] = ["name": .string(name), "namespace": .string(namespace)]
    if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues(JSON.string)) }
    return ["apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": .object(metadata), "spec": .object(spec)]
  }
}

extension MigratedKCD {
  /// Maps one original object; nil (with the reason) when it has no name to create it under.
  static func from(_ original: JSON) -> Result<MigratedKCD, MigrationFailure> {
    let meta = original["metadata"]
    guard let name = meta["name"].stringValue, !name.isEmpty else { return .failure(MigrationFailure("object without metadata.name")) }
    let namespace = meta["namespace"].stringValue ?? "default"
    var labels: [String: String] = [:]
    for (k, v) in meta["labels"].objectValue ?? [:] { if let s = v.stringValue { labels[k] = s } }
    var notes: [String] = []
    var spec: [String: JSON] = [:]
    for (field, value) in (original["spec"].objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
      if OriginalKCD.sameName.contains(field) { spec[field] = value } else { notes.append("unknown field spec.\(field) not copied") }
    }
    if case .object(var history)? = spec["history"], history["name"] != nil {
      history["name"] = nil
      spec["history"] = .object(history)
      notes.append("spec.history.name not copied (\(OriginalKCD.dropped["history.name"]!))")
    }
    if case .object(var strategy)? = spec["strategy"], let kind = strategy["kind"]?.stringValue, kind != "ServiceBlueGreen" {
      // The original treated every kind but ServiceBlueGreen as its simple rolling update.
      strategy["kind"] = "RollingUpdate"
      spec["strategy"] = .object(strategy)
      notes.append("spec.strategy.kind \"\(kind.prefix(64))\" is RollingUpdate here")
    }
    if spec["rollback"]?["enabled"].isNull ?? true {
      // kcd.dev defaults rollback on; the original defaulted it off. Keep what the user had.
      var rollback = spec["rollback"]?.objectValue ?? [:]
      rollback["enabled"] = false
      spec["rollback"] = .object(rollback)
    }
    if spec["pollIntervalSeconds"]?.intValue == 0 {
      notes.append("spec.pollIntervalSeconds 0 meant \"poll without pause\" in the original; here it means webhooks only")
    }
    if spec["serviceAccountName"] != nil { notes.append("spec.serviceAccountName kept but unused (kcd runs no syncer pods)") }
    if spec["livenessSeconds"] != nil { notes.append("spec.livenessSeconds kept but unused (kcd runs no syncer pods)") }
    let (_, problems) = KCDSpec.parse(.object(spec))
    notes += problems.map { "kcd will not roll this out until fixed: \($0.message)" }
    var status: [String: JSON] = [:]
    for field in OriginalKCD.carriedStatus {
      if let v = original["status"][field].stringValue, !v.isEmpty { status[field] = .string(v) }
    }
    return .success(MigratedKCD(namespace: namespace, name: name, labels: labels, spec: spec, status: status, notes: notes))
  }
}

/// Why one object could not be migrated; its text goes in the table's notes.
struct MigrationFailure: Error, Sendable {
  let message: String
  init(_ message: String) { self.message = message }
}
