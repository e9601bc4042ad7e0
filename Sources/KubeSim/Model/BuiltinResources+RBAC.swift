/// `rbac.authorization.k8s.io/v1`: the kinds a Helm chart installs to grant its controller access.
/// RBAC objects keep no `metadata.generation` (their registry strategy does not set it).
extension BuiltinResources {
  static let rbacGroup = "rbac.authorization.k8s.io"

  public static let roles = r(rbacGroup, "v1", "roles", "role", "Role").with { $0.hasGeneration = false }
  public static let clusterRoles = r(rbacGroup, "v1", "clusterroles", "clusterrole", "ClusterRole", namespaced: false).with { $0.hasGeneration = false }
  public static let roleBindings = r(rbacGroup, "v1", "rolebindings", "rolebinding", "RoleBinding").with { $0.hasGeneration = false }
  public static let clusterRoleBindings = r(rbacGroup, "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", namespaced: false).with {
    $0.hasGeneration = false
  }

  static let rbac = [roles, clusterRoles, roleBindings, clusterRoleBindings]
}
