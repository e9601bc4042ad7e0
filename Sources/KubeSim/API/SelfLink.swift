import KcdJSON

/// `metadata.selfLink` as servers before 1.20 filled it in (EmulatedVersion.setsSelfLink): an
/// object's own path, and for a list the path it was listed from.
enum SelfLink {
  static func path(of object: JSON, type: ResourceType) -> String {
    let scope = type.namespaced ? "/namespaces/\(object.namespace)" : ""
    return "\(type.apiPrefix)\(scope)/\(type.plural)/\(object.name)"
  }

  /// Stamps an object, or a list and each of its items; a Status is left alone.
  static func stamp(_ value: JSON, type: ResourceType, requestPath: String) -> JSON {
    var v = value
    if v["kind"] == "Status" || v["metadata"].isNull && v["items"].isNull { return v }
    if let items = v["items"].arrayValue {
      v["metadata"]["selfLink"] = .string(requestPath)
      v["items"] = .array(items.map { var o = $0; o["metadata"]["selfLink"] = .string(path(of: o, type: type)); return o })
    } else {
      v["metadata"]["selfLink"] = .string(path(of: v, type: type))
    }
    return v
  }
}
