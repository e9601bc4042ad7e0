import KcdJSON

extension MigratedKCD {
  /// Where an existing `kcd.dev/v1` object disagrees with this migration: each label and spec
  /// value the original declares must be there and equal. Fields only the existing object has
  /// (defaults the API server filled in, later additions) are not differences.
  func differences(from existing: JSON) -> [String] {
    var out: [String] = []
    for (k, v) in labels.sorted(by: { $0.key < $1.key }) where existing["metadata"]["labels"][k].stringValue != v {
      out.append("metadata.labels.\(k)")
    }
    for (k, v) in spec.sorted(by: { $0.key < $1.key }) { out += Self.compare(v, existing["spec"][k], path: "spec.\(k)") }
    return out
  }

  /// Objects compare key by key (what `want` names), except label maps, which are whole
  /// values (an added selector label selects other workloads); anything else must be equal.
  static func compare(_ want: JSON, _ have: JSON, path: String) -> [String] {
    guard case .object(let fields) = want, !wholeValues.contains(path) else { return want == have ? [] : [path] }
    guard have.objectValue != nil else { return [path] }
    return fields.sorted(by: { $0.key < $1.key }).flatMap { compare($0.value, have[$0.key], path: "\(path).\($0.key)") }
  }

  static let wholeValues: Set<String> = ["spec.selector", "spec.strategy.canary.selector"]

  /// The original carried a status the existing object lacks (a run stopped between the
  /// create and the status write): it is written, once.
  func statusMissing(in existing: JSON) -> Bool {
    !status.isEmpty && OriginalKCD.carriedStatus.allSatisfy { existing["status"][$0].isNull }
  }
}
