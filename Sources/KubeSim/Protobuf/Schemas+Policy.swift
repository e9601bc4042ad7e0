/// k8s.io/api `policy/v1/generated.proto` (policy/v1beta1 has the same numbers): PodDisruptionBudget.
extension ProtoMessage {
  static let podDisruptionBudget = workload("PodDisruptionBudget", spec: .podDisruptionBudgetSpec, status: .podDisruptionBudgetStatus)

  /// Every member is a Go pointer: `minAvailable: 0` means something.
  static let podDisruptionBudgetSpec = ProtoMessage("PodDisruptionBudgetSpec", [
    .kept(1, "minAvailable", .intOrString), .field(2, "selector", .message(.labelSelector)),
    .kept(3, "maxUnavailable", .intOrString), .kept(4, "unhealthyPodEvictionPolicy", .string),
  ])

  /// The counts have no `omitempty` in Go.
  static let podDisruptionBudgetStatus = ProtoMessage("PodDisruptionBudgetStatus", [
    .field(1, "observedGeneration", .int), .field(2, "disruptedPods", .map(.time)), .kept(3, "disruptionsAllowed", .int),
    .kept(4, "currentHealthy", .int), .kept(5, "desiredHealthy", .int), .kept(6, "expectedPods", .int),
    .list(7, "conditions", .message(.condition)),
  ])
}
