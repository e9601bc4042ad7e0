import KcdJSON

/// Validation of Roles, ClusterRoles and their bindings, with the messages of
/// k8s.io/kubernetes pkg/apis/rbac/validation/validation.go.
extension ObjectValidation {
  static func rules(_ o: JSON, namespaced: Bool) -> [Cause] {
    var causes: [Cause] = []
    for (i, rule) in (o["rules"].arrayValue ?? []).enumerated() {
      let field = "rules[\(i)]"
      let count = { (key: String) in rule[key].arrayValue?.count ?? 0 }
      if count("verbs") == 0 { causes.append(("\(field).verbs", "FieldValueRequired", "Required value: verbs must contain at least one value")) }
      if count("nonResourceURLs") > 0 {
        let urls = rule["nonResourceURLs"].text
        if namespaced {
          causes.append(("\(field).nonResourceURLs", "FieldValueInvalid", "Invalid value: \(urls): namespaced rules cannot apply to non-resource URLs"))
        }
        if count("apiGroups") > 0 || count("resources") > 0 || count("resourceNames") > 0 {
          causes.append(("\(field).nonResourceURLs", "FieldValueInvalid", "Invalid value: \(urls): rules cannot apply to both regular resources and non-resource URLs"))
        }
        continue
      }
      if count("apiGroups") == 0 {
        causes.append(("\(field).apiGroups", "FieldValueRequired", "Required value: resource rules must supply at least one api group"))
      }
      if count("resources") == 0 {
        causes.append(("\(field).resources", "FieldValueRequired", "Required value: resource rules must supply at least one resource"))
      }
    }
    return causes
  }

  /// A RoleBinding may name a Role or a ClusterRole, a ClusterRoleBinding only a ClusterRole;
  /// roleRef cannot change; a ClusterRoleBinding's ServiceAccount subject needs a namespace.
  static func binding(_ o: JSON, old: JSON?, namespaced: Bool) -> [Cause] {
    var causes: [Cause] = []
    let ref = o["roleRef"]
    let group = ref["apiGroup"].stringValue ?? ""
    if group != BuiltinResources.rbacGroup {
      causes.append(("roleRef.apiGroup", "FieldValueNotSupported", "Unsupported value: \(JSON.string(group).text): supported values: \"\(BuiltinResources.rbacGroup)\""))
    }
    let kind = ref["kind"].stringValue ?? ""
    let kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"]
    if !kinds.contains(kind) {
      causes.append(("roleRef.kind", "FieldValueNotSupported", "Unsupported value: \(JSON.string(kind).text): supported values: \(kinds.map { "\"\($0)\"" }.joined(separator: ", "))"))
    }
    if (ref["name"].stringValue ?? "").isEmpty { causes.append(("roleRef.name", "FieldValueRequired", "Required value")) }
    for (i, s) in (o["subjects"].arrayValue ?? []).enumerated() {
      causes += subject(s, field: "subjects[\(i)]", namespaced: namespaced)
    }
    if let old, old["roleRef"] != ref {
      causes.append(("roleRef", "FieldValueInvalid", "Invalid value: \(ref.text): cannot change roleRef"))
    }
    return causes
  }

  static func subject(_ s: JSON, field: String, namespaced: Bool) -> [Cause] {
    var causes: [Cause] = []
    if (s["name"].stringValue ?? "").isEmpty { causes.append(("\(field).name", "FieldValueRequired", "Required value")) }
    let group = s["apiGroup"].stringValue ?? ""
    switch s["kind"].stringValue ?? "" {
    case "ServiceAccount":
      if !group.isEmpty { causes.append(("\(field).apiGroup", "FieldValueNotSupported", "Unsupported value: \(JSON.string(group).text): supported values: \"\"")) }
      if !namespaced && (s["namespace"].stringValue ?? "").isEmpty { causes.append(("\(field).namespace", "FieldValueRequired", "Required value")) }
    case "User", "Group":
      if group != BuiltinResources.rbacGroup {
        causes.append(("\(field).apiGroup", "FieldValueNotSupported", "Unsupported value: \(JSON.string(group).text): supported values: \"\(BuiltinResources.rbacGroup)\""))
      }
    case let kind:
      causes.append(("\(field).kind", "FieldValueNotSupported", "Unsupported value: \(JSON.string(kind).text): supported values: \"ServiceAccount\", \"User\", \"Group\""))
    }
    return causes
  }
}
