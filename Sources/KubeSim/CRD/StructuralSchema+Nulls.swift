import KcdJSON

extension StructuralSchema {
  /// Removes `null` values of declared fields that are neither nullable nor defaulted, before
  /// defaulting and validation, as kube-apiserver has since 1.20
  /// (apiextensions-apiserver `pkg/apiserver/schema/defaulting/prunenulls.go`,
  /// `PruneNonNullableNullsWithoutDefaults`): a client that sends `"config": null` for an
  /// unset optional object gets 200, not 422. Array elements are never removed.
  public func pruneNonNullableNulls(_ object: JSON) -> JSON {
    root.withoutNonNullableNulls(object)
  }
}

extension StructuralSchema.Node {
  func withoutNonNullableNulls(_ value: JSON) -> JSON {
    switch value {
    case .object(var members):
      for (key, member) in members {
        guard let schema = properties[key] ?? additionalProperties else { continue }
        if member.isNull && !schema.nullable && schema.defaultValue == nil {
          members[key] = nil
        } else {
          members[key] = schema.withoutNonNullableNulls(member)
        }
      }
      return .object(members)
    case .array(let elements):
      guard let items else { return value }
      return .array(elements.map { items.withoutNonNullableNulls($0) })
    default:
      return value
    }
  }
}
