import KcdJSON

/// Defaults of the RBAC and networking kinds (k8s.io/kubernetes pkg/apis/rbac/v1/defaults.go,
/// pkg/apis/networking/v1/defaults.go).
extension ObjectDefaults {
  /// `roleRef.apiGroup` defaults to the RBAC group; a User or Group subject's `apiGroup` to the
  /// RBAC group, a ServiceAccount's to "".
  static func binding(_ object: JSON) -> JSON {
    var o = object
    if (o["roleRef"]["apiGroup"].stringValue ?? "").isEmpty, o["roleRef"].objectValue != nil { o["roleRef"]["apiGroup"] = .string(BuiltinResources.rbacGroup) }
    if let subjects = o["subjects"].arrayValue {
      o["subjects"] = .array(subjects.map { s in
        var s = s
        if (s["apiGroup"].stringValue ?? "").isEmpty, ["User", "Group"].contains(s["kind"].stringValue ?? "") {
          s["apiGroup"] = .string(BuiltinResources.rbacGroup)
        }
        return s
      })
    }
    return o
  }

  /// `policyTypes` from the rules present: always Ingress, plus Egress when egress rules exist;
  /// a port's protocol is TCP; `podSelector` is a non-pointer struct, so `{}` when absent.
  static func networkPolicy(_ object: JSON) -> JSON {
    var o = object
    setIfMissing(&o, ["spec", "podSelector"], [:])
    if (o["spec"]["policyTypes"].arrayValue ?? []).isEmpty {
      let egress = !(o["spec"]["egress"].arrayValue ?? []).isEmpty
      o["spec"]["policyTypes"] = egress ? ["Ingress", "Egress"] : ["Ingress"]
    }
    for direction in ["ingress", "egress"] {
      guard let rules = o["spec"][direction].arrayValue else { continue }
      o["spec"][direction] = .array(rules.map { rule in
        var rule = rule
        if let ports = rule["ports"].arrayValue {
          rule["ports"] = .array(ports.map { p in var p = p; setIfMissing(&p, ["protocol"], "TCP"); return p })
        }
        return rule
      })
    }
    return o
  }
}
