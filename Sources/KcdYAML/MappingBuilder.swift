import KcdJSON

/// Collects one mapping's entries. Duplicate keys are refused (as sigs.k8s.io/yaml's strict
/// mode does, since a silently dropped duplicate hides mistakes in manifests), and `<<` merge
/// keys are applied last so keys written in the mapping itself win over merged ones.
struct MappingBuilder {
  private var members: [String: JSON] = [:]
  private var merged: [[String: JSON]] = []
  private var hasMergeKey = false

  enum MergeProblem { case duplicate, notMappings }

  /// False when the key is already present.
  mutating func add(_ key: String, _ value: JSON) -> Bool {
    members.updateValue(value, forKey: key) == nil
  }

  /// `<<: *base` or `<<: [*first, *second]`: earlier mappings in the list take precedence.
  mutating func merge(_ value: JSON) -> MergeProblem? {
    guard !hasMergeKey else { return .duplicate }
    hasMergeKey = true
    switch value {
    case .object(let mapping):
      merged = [mapping]
    case .array(let list):
      for element in list {
        guard case .object(let mapping) = element else { return .notMappings }
        merged.append(mapping)
      }
    default:
      return .notMappings
    }
    return nil
  }

  func build() -> JSON {
    var result = members
    for mapping in merged {
      for (key, value) in mapping where result[key] == nil { result[key] = value }
    }
    return .object(result)
  }
}

extension YAMLParser {
  mutating func addEntry(
    _ key: String, _ value: JSON, isMergeKey: Bool, to builder: inout MappingBuilder, at keyIndex: Int
  ) throws(YAMLError) {
    if isMergeKey {
      switch builder.merge(value) {
      case nil: return
      case .duplicate?: throw error("duplicate key '<<'", at: keyIndex)
      case .notMappings?:
        throw error("a merge key '<<' needs a mapping or a sequence of mappings", at: keyIndex)
      }
    }
    guard builder.add(key, value) else { throw error("duplicate key \(quoted(key))", at: keyIndex) }
  }
}
