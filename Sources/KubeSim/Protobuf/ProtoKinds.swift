/// The kinds KubeSim can read and write as protobuf, by `apiVersion/kind`. Others (Events,
/// Nodes, CRDs, reviews, custom resources) are served as JSON only.
enum ProtoKinds {
  static let messages: [String: ProtoMessage] = [
    "v1/Namespace": .namespace, "v1/ConfigMap": .configMap, "v1/Secret": .secret,
    "v1/ServiceAccount": .serviceAccount, "v1/Service": .service, "v1/Pod": .pod, "v1/Status": .status,
    "apps/v1/Deployment": .deployment, "apps/v1/ReplicaSet": .replicaSet, "apps/v1/StatefulSet": .statefulSet,
    "apps/v1/DaemonSet": .daemonSet, "apps/v1/ControllerRevision": .controllerRevision,
    "batch/v1/Job": .job, "batch/v1/CronJob": .cronJob, "batch/v1beta1/CronJob": .cronJob,
    "coordination.k8s.io/v1/Lease": .lease, "autoscaling/v1/Scale": .scale,
    "rbac.authorization.k8s.io/v1/Role": .role, "rbac.authorization.k8s.io/v1/ClusterRole": .clusterRole,
    "rbac.authorization.k8s.io/v1/RoleBinding": .roleBinding, "rbac.authorization.k8s.io/v1/ClusterRoleBinding": .clusterRoleBinding,
    "networking.k8s.io/v1/Ingress": .ingress, "networking.k8s.io/v1/NetworkPolicy": .networkPolicy,
    "policy/v1/PodDisruptionBudget": .podDisruptionBudget, "policy/v1beta1/PodDisruptionBudget": .podDisruptionBudget,
  ]

  /// The message of a kind, or of its `XList`.
  static func message(apiVersion: String, kind: String) -> ProtoMessage? {
    if let m = messages[apiVersion + "/" + kind] { return m }
    guard kind.hasSuffix("List"), let item = messages[apiVersion + "/" + kind.dropLast(4)] else { return nil }
    return .list(of: item)
  }
}
