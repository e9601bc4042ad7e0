import KcdJSON

extension StructuralSchema {
  /// Fills `default` values for missing fields, and for `null` where the field is not
  /// nullable, at every level the object actually has: a default inside an absent parent
  /// object is not applied, defaults in `items` apply to each element. The root `metadata`
  /// belongs to the server and is left alone.
  public func applyDefaults(to object: JSON) -> JSON {
    root.defaulted(object, isResourceRoot: true)
  }
}

extension StructuralSchema.Node {
  func defaulted(_ value: JSON, isResourceRoot: Bool = false) -> JSON {
    switch value {
    case .object(var members):
      for (key, property) in properties {
        if isResourceRoot && key == "metadata" { continue }
        guard let fallback = property.defaultValue else { continue }
        if let current = members[key], !property.replacesWithDefault(current) { continue }
        members[key] = fallback
      }
      for (key, member) in members {
        if isResourceRoot && key == "metadata" { continue }
        if let property = properties[key] {
          // Already filled above; recursing fills defaults nested inside the default itself.
          members[key] = property.defaulted(member)
        } else if let additionalProperties {
          let filled = additionalProperties.replacesWithDefault(member) ? additionalProperties.defaultValue ?? member : member
          members[key] = additionalProperties.defaulted(filled)
        }
      }
      return .object(members)
    case .array(let elements):
      guard let items else { return value }
      return .array(elements.map { element in
        items.defaulted(items.replacesWithDefault(element) ? items.defaultValue ?? element : element)
      })
    default:
      return value
    }
  }

  /// A present value is only replaced when it is `null`, the node is not nullable and has a default.
  func replacesWithDefault(_ value: JSON) -> Bool {
    value.isNull && !nullable && defaultValue != nil
  }
}
