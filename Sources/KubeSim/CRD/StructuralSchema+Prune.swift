import KcdJSON

extension StructuralSchema {
  /// Drops fields the schema does not declare, as the apiserver does before storing, so
  /// unknown data never reaches etcd. Unknown fields survive under
  /// `x-kubernetes-preserve-unknown-fields: true`; declared fields below such a node are still
  /// pruned by their own schema. `apiVersion`, `kind` and `metadata` of the object (and of
  /// embedded resources) are the server's and are kept.
  public func prune(_ object: JSON) -> JSON {
    root.pruned(object, isResourceRoot: true)
  }
}

extension StructuralSchema.Node {
  func pruned(_ value: JSON, isResourceRoot: Bool = false) -> JSON {
    if preservesUnknownFields { return prunedKeepingUnknown(value, isResourceRoot: isResourceRoot) }
    switch value {
    case .object(let members):
      var kept: [String: JSON] = [:]
      for (key, member) in members {
        if !ownsMetaFields(isResourceRoot: isResourceRoot) && Self.metaFields.contains(key) {
          kept[key] = member
        } else if let property = properties[key] {
          kept[key] = property.pruned(member)
        } else if let additionalProperties {
          kept[key] = additionalProperties.pruned(member)
        } else if allowsAnyAdditionalProperties {
          kept[key] = member
        }
      }
      return .object(kept)
    case .array(let elements):
      guard let items else { return .array(elements.map(Self.prunedWithoutSchema)) }
      return .array(elements.map { items.pruned($0) })
    default:
      return value
    }
  }

  /// The apiserver's `skipPrune`: unknown members stay, known ones follow their schema.
  func prunedKeepingUnknown(_ value: JSON, isResourceRoot: Bool) -> JSON {
    switch value {
    case .object(var members):
      for (key, member) in members {
        if !ownsMetaFields(isResourceRoot: isResourceRoot) && Self.metaFields.contains(key) { continue }
        if let property = properties[key] {
          members[key] = property.pruned(member)
        } else if let additionalProperties {
          members[key] = additionalProperties.pruned(member)
        }
      }
      return .object(members)
    case .array(let elements):
      guard let items else { return value }
      return .array(elements.map { items.prunedKeepingUnknown($0, isResourceRoot: false) })
    default:
      return value
    }
  }

  /// Values with no schema at all keep their scalars but lose every object member.
  static func prunedWithoutSchema(_ value: JSON) -> JSON {
    switch value {
    case .object: return .object([:])
    case .array(let elements): return .array(elements.map(prunedWithoutSchema))
    default: return value
    }
  }
}
