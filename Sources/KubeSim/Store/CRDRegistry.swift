import KcdCore
import KcdJSON

/// Turns CustomResourceDefinitions into served types: checks them like the apiserver, marks
/// them Established at once (kubectl waits for that), and yields one type per served version.
enum CRDRegistry {
  static func prepare(_ crd: JSON, now: Double) throws(StatusError) -> JSON {
    let type = BuiltinResources.customResourceDefinitions
    var causes: [ObjectValidation.Cause] = []
    let spec = crd["spec"]
    let group = spec["group"].stringValue ?? ""
    let plural = spec["names"]["plural"].stringValue ?? ""
    let kind = spec["names"]["kind"].stringValue ?? ""
    if group.isEmpty || !group.contains(".") { causes.append(("spec.group", "FieldValueInvalid", "Invalid value: \"\(group)\": should be a domain with at least one dot")) }
    if plural.isEmpty { causes.append(("spec.names.plural", "FieldValueRequired", "Required value")) }
    if kind.isEmpty { causes.append(("spec.names.kind", "FieldValueRequired", "Required value")) }
    if crd.name != "\(plural).\(group)" {
      causes.append(("metadata.name", "FieldValueInvalid", "Invalid value: \"\(crd.name)\": must be spec.names.plural+\".\"+spec.group"))
    }
    let scope = spec["scope"].stringValue ?? ""
    if scope != "Namespaced" && scope != "Cluster" {
      causes.append(("spec.scope", "FieldValueNotSupported", "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\""))
    }
    let versions = spec["versions"].arrayValue ?? []
    if versions.isEmpty { causes.append(("spec.versions", "FieldValueInvalid", "Invalid value: null: must have exactly one version marked as storage version")) }
    if versions.filter({ $0["storage"].boolValue == true }).count != 1 {
      causes.append(("spec.versions", "FieldValueInvalid", "Invalid value: \(spec["versions"].text): must have exactly one version marked as storage version"))
    }
    for (i, v) in versions.enumerated() {
      let schema = v["schema"]["openAPIV3Schema"]
      if schema.isNull {
        causes.append(("spec.versions[\(i)].schema.openAPIV3Schema", "FieldValueRequired", "Required value: schemas are required"))
        continue
      }
      let path = "spec.versions[\(i)].schema.openAPIV3Schema"
      do { _ = try StructuralSchema(schema, path: path) } catch {
        for problem in error.problems { causes.append((path, "FieldValueInvalid", problem)) }
      }
    }
    if !causes.isEmpty { throw StatusError.invalid(type, crd.name, causes) }
    var o = crd
    var names = spec["names"]
    if names["singular"].isNull { names["singular"] = .string(kind.lowercased()) }
    if names["listKind"].isNull { names["listKind"] = .string(kind + "List") }
    o["spec"]["names"] = names
    let time = JSON.string(GoTime(now).formatted(.rfc3339))
    o["status"] = [
      "acceptedNames": names,
      "conditions": [
        ["type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": time],
        ["type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": time],
      ],
      "storedVersions": .array(versions.filter { $0["storage"].boolValue == true }.map { $0["name"] }),
    ]
    return o
  }

  static func types(of crd: JSON) -> [(ResourceType, StructuralSchema?)] {
    let spec = crd["spec"]
    guard let group = spec["group"].stringValue, let plural = spec["names"]["plural"].stringValue,
      let kind = spec["names"]["kind"].stringValue
    else { return [] }
    let singular = spec["names"]["singular"].stringValue ?? kind.lowercased()
    var out: [(ResourceType, StructuralSchema?)] = []
    for v in spec["versions"].arrayValue ?? [] where v["served"].boolValue != false {
      guard let version = v["name"].stringValue else { continue }
      var t = ResourceType(group: group, version: version, plural: plural, singular: singular, kind: kind, namespaced: spec["scope"].stringValue != "Cluster")
      t.isCustom = true
      t.shortNames = spec["names"]["shortNames"].arrayValue?.compactMap(\.stringValue) ?? []
      t.categories = spec["names"]["categories"].arrayValue?.compactMap(\.stringValue) ?? []
      if !v["subresources"]["status"].isNull { t.subresources.insert("status") }
      if !v["subresources"]["scale"].isNull { t.subresources.insert("scale") }
      out.append((t, try? StructuralSchema(v["schema"]["openAPIV3Schema"])))
    }
    return out
  }
}
