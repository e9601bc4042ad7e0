/// k8s.io/api `rbac/v1/generated.proto`: Role, ClusterRole, RoleBinding, ClusterRoleBinding.
extension ProtoMessage {
  static let role = ProtoMessage("Role", [.objectMeta, .list(2, "rules", .message(.policyRule))])

  static let clusterRole = ProtoMessage("ClusterRole", [
    .objectMeta, .list(2, "rules", .message(.policyRule)), .field(3, "aggregationRule", .message(.aggregationRule)),
  ])

  static let roleBinding = binding("RoleBinding")
  static let clusterRoleBinding = binding("ClusterRoleBinding")

  /// Both bindings lay out metadata, subjects and roleRef alike.
  static func binding(_ name: String) -> ProtoMessage {
    ProtoMessage(name, [.objectMeta, .list(2, "subjects", .message(.rbacSubject)), .field(3, "roleRef", .message(.roleRef))])
  }

  static let policyRule = ProtoMessage("PolicyRule", [
    .list(1, "verbs", .string), .list(2, "apiGroups", .string), .list(3, "resources", .string),
    .list(4, "resourceNames", .string), .list(5, "nonResourceURLs", .string),
  ])

  static let aggregationRule = ProtoMessage("AggregationRule", [.list(1, "clusterRoleSelectors", .message(.labelSelector))])

  /// `kind` and `name` have no `omitempty` in Go; `apiGroup` and `namespace` do.
  static let rbacSubject = ProtoMessage("Subject", [
    .kept(1, "kind", .string), .field(2, "apiGroup", .string), .kept(3, "name", .string), .field(4, "namespace", .string),
  ])

  /// No member of RoleRef is `omitempty`.
  static let roleRef = ProtoMessage("RoleRef", [.kept(1, "apiGroup", .string), .kept(2, "kind", .string), .kept(3, "name", .string)])
}
