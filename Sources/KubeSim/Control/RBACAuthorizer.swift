import KcdJSON

/// Decides an access request from the Roles, ClusterRoles and their bindings in the store, with
/// the matching rules of kube-apiserver's RBAC authorizer (plugin/pkg/auth/authorizer/rbac):
/// ClusterRoleBindings apply everywhere, RoleBindings in their own namespace; `*` matches any
/// verb, group, resource or name; `resource/subresource` forms; members of `system:masters` may
/// do anything. Aggregated ClusterRoles (aggregationRule) are not expanded.
struct RBACAuthorizer {
  let store: ObjectStore

  struct Request {
    var user: String
    var groups: [String]
    var verb: String
    var group: String
    var resource: String
    var subresource: String
    var name: String
    var namespace: String
    /// Set for a non-resource request (`/healthz`); the resource fields are then unused.
    var path: String?

    init(user: String, groups: [String], verb: String, group: String, resource: String, subresource: String, name: String, namespace: String) {
      self.user = user
      self.groups = groups
      self.verb = verb
      self.group = group
      self.resource = resource
      self.subresource = subresource
      self.name = name
      self.namespace = namespace
      path = nil
    }

    init(spec: JSON, user: String, groups: [String]) {
      self.user = user
      self.groups = groups
      let r = spec["resourceAttributes"]
      let n = spec["nonResourceAttributes"]
      verb = (r.isNull ? n["verb"] : r["verb"]).stringValue ?? ""
      group = r["group"].stringValue ?? ""
      resource = r["resource"].stringValue ?? ""
      subresource = r["subresource"].stringValue ?? ""
      name = r["name"].stringValue ?? ""
      namespace = r["namespace"].stringValue ?? ""
      path = r.isNull ? n["path"].stringValue : nil
    }
  }

  /// The reason the request is allowed (as the apiserver words it), or nil when no binding grants it.
  func allows(_ request: Request) -> String? {
    if request.groups.contains("system:masters") { return "RBAC: allowed by the system:masters group" }
    for binding in store.list(BuiltinResources.clusterRoleBindings, namespace: nil).items {
      guard let subject = matchingSubject(binding, request, bindingNamespace: "") else { continue }
      let roleName = binding["roleRef"]["name"].stringValue ?? ""
      if rules(kind: "ClusterRole", name: roleName, namespace: "").contains(where: { covers($0, request) }) {
        return "RBAC: allowed by ClusterRoleBinding \"\(binding.name)\" of ClusterRole \"\(roleName)\" to \(subject)"
      }
    }
    guard !request.namespace.isEmpty else { return nil }
    for binding in store.list(BuiltinResources.roleBindings, namespace: request.namespace).items {
      guard let subject = matchingSubject(binding, request, bindingNamespace: request.namespace) else { continue }
      let kind = binding["roleRef"]["kind"].stringValue ?? ""
      let roleName = binding["roleRef"]["name"].stringValue ?? ""
      if rules(kind: kind, name: roleName, namespace: request.namespace).contains(where: { covers($0, request) }) {
        return "RBAC: allowed by RoleBinding \"\(binding.name)/\(request.namespace)\" of \(kind) \"\(roleName)\" to \(subject)"
      }
    }
    return nil
  }

  /// The Forbidden error kube-apiserver gives (k8s.io/apiserver endpoints/handlers/responsewriters
  /// forbiddenMessage): `deployments.apps "web" is forbidden: User "u" cannot patch resource
  /// "deployments" in API group "apps" in the namespace "shop"`.
  static func forbidden(_ r: Request) -> StatusError {
    let qualified = r.group.isEmpty ? r.resource : "\(r.resource).\(r.group)"
    let object = r.name.isEmpty ? qualified : "\(qualified) \"\(r.name)\""
    let resource = r.subresource.isEmpty ? "resource \"\(r.resource)\"" : "resource \"\(r.resource)/\(r.subresource)\""
    let scope = r.namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(r.namespace)\""
    let message = "\(object) is forbidden: User \"\(r.user)\" cannot \(r.verb) \(resource) in API group \"\(r.group)\" \(scope)"
    var details: JSON = ["group": .string(r.group), "kind": .string(r.resource)]
    if !r.name.isEmpty { details["name"] = .string(r.name) }
    return StatusError(code: 403, reason: "Forbidden", message: message, details: details)
  }

  func rules(kind: String, name: String, namespace: String) -> [JSON] {
    let role = kind == "ClusterRole" ? store.get(BuiltinResources.clusterRoles, namespace: "", name: name)
      : store.get(BuiltinResources.roles, namespace: namespace, name: name)
    return role?["rules"].arrayValue ?? []
  }

  /// The first subject of a binding that is the requester, described as the apiserver does.
  func matchingSubject(_ binding: JSON, _ request: Request, bindingNamespace: String) -> String? {
    for s in binding["subjects"].arrayValue ?? [] {
      let name = s["name"].stringValue ?? ""
      switch s["kind"].stringValue {
      case "User" where name == request.user: return "User \"\(name)\""
      case "Group" where request.groups.contains(name): return "Group \"\(name)\""
      case "ServiceAccount":
        // A RoleBinding's ServiceAccount subject without a namespace means the binding's own.
        let ns = s["namespace"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? bindingNamespace
        if request.user == "system:serviceaccount:\(ns):\(name)" { return "ServiceAccount \"\(name)/\(ns)\"" }
      default: continue
      }
    }
    return nil
  }

  func covers(_ rule: JSON, _ request: Request) -> Bool {
    let values = { (key: String) in rule[key].arrayValue?.compactMap(\.stringValue) ?? [] }
    let verbs = values("verbs")
    guard verbs.contains("*") || verbs.contains(request.verb) else { return false }
    if let path = request.path {
      return values("nonResourceURLs").contains { $0 == "*" || $0 == path || ($0.hasSuffix("*") && path.hasPrefix(String($0.dropLast()))) }
    }
    let groups = values("apiGroups")
    guard groups.contains("*") || groups.contains(request.group) else { return false }
    let resources = values("resources")
    let wanted = request.subresource.isEmpty ? request.resource : "\(request.resource)/\(request.subresource)"
    let resourceMatches = resources.contains { r in
      r == "*" || r == wanted || (!request.subresource.isEmpty && (r == "*/\(request.subresource)" || r == "\(request.resource)/*"))
    }
    guard resourceMatches else { return false }
    let names = values("resourceNames")
    return names.isEmpty || names.contains(request.name)
  }
}
