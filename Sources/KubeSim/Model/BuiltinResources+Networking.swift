/// `networking.k8s.io/v1` Ingress and NetworkPolicy, and `policy` PodDisruptionBudget: what a
/// chart puts beside its Deployment.
extension BuiltinResources {
  public static let ingresses = r("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress").with {
    $0.shortNames = ["ing"]; $0.subresources = ["status"]
  }
  public static let networkPolicies = r("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy").with {
    $0.shortNames = ["netpol"]
  }
  public static let podDisruptionBudgets = r("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget").with {
    $0.shortNames = ["pdb"]; $0.subresources = ["status"]
  }

  /// policy/v1beta1 served the same storage until 1.25.
  public static let podDisruptionBudgetsV1beta1 = podDisruptionBudgets.with { $0.version = "v1beta1" }
}
