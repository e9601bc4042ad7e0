import KcdJSON
import KcdKube

/// The workload kinds kcd rolls out (SPEC §4), with where each keeps its pod template and how
/// its rollout is judged. CronJobs and bare ReplicaSets have no rollout of their own: the change
/// is done once the API accepted it (future Jobs and pods take the new image).
public enum WorkloadKind: String, CaseIterable, Sendable {
  case deployment = "Deployment"
  case statefulSet = "StatefulSet"
  case daemonSet = "DaemonSet"
  case cronJob = "CronJob"
  case replicaSet = "ReplicaSet"

  public var resource: KubeResource {
    switch self {
    case .deployment: return .deployments
    case .statefulSet: return .statefulSets
    case .daemonSet: return .daemonSets
    case .replicaSet: return .replicaSets
    case .cronJob: return KubeResource(group: "batch", version: "v1", plural: "cronjobs", kind: "CronJob")
    }
  }

  /// Whether another controller owns it (`ownerReferences` with `controller: true`).
  public static func isControlled(_ workload: JSON) -> Bool {
    (workload["metadata"]["ownerReferences"].arrayValue ?? []).contains { $0["controller"].boolValue == true }
  }

  public var templatePath: [String] {
    self == .cronJob ? ["spec", "jobTemplate", "spec", "template"] : ["spec", "template"]
  }

  public func template(of workload: JSON) -> JSON { workload[path: templatePath] }

  /// The label selector of the pods it runs (`matchLabels`), for finding stuck pods.
  public func podLabels(of workload: JSON) -> [String: String] {
    let selector = self == .cronJob ? workload[path: ["spec", "jobTemplate", "spec", "selector"]] : workload["spec"]["selector"]
    return (selector["matchLabels"].objectValue ?? [:]).compactMapValues(\.stringValue)
  }

  /// How the rollout stands, by kubectl's `rollout status` rules for the kinds that have one.
  public func check(_ workload: JSON) -> RolloutCheck {
    switch self {
    case .deployment: return RolloutCheck.deployment(workload)
    case .statefulSet: return RolloutCheck.statefulSet(workload)
    case .daemonSet: return RolloutCheck.daemonSet(workload)
    case .cronJob, .replicaSet: return .done
    }
  }
}

extension RolloutCheck {
  /// kubectl's StatefulSet rules (with the partition the apiserver defaults).
  public static func statefulSet(_ s: JSON) -> RolloutCheck {
    if let strategy = s["spec"]["updateStrategy"]["type"].stringValue, strategy != "RollingUpdate" {
      return .failed(reason: "UnsupportedStrategy", message: "statefulset uses the \(strategy) update strategy; pods are not replaced automatically")
    }
    let generation = s["metadata"]["generation"].intValue ?? 0
    let observed = s["status"]["observedGeneration"].intValue ?? 0
    guard observed > 0, generation <= observed else { return .waiting("waiting for the statefulset spec update to be observed") }
    let replicas = s["spec"]["replicas"].intValue ?? 1
    let ready = s["status"]["readyReplicas"].intValue ?? 0
    if ready < replicas { return .waiting("\(ready) of \(replicas) pods are ready") }
    let partition = s["spec"]["updateStrategy"]["rollingUpdate"]["partition"].intValue ?? 0
    let updated = s["status"]["updatedReplicas"].intValue ?? 0
    if updated < replicas - partition { return .waiting("\(updated) of \(replicas - partition) pods are updated") }
    return .done
  }

  /// kubectl's DaemonSet rules.
  public static func daemonSet(_ d: JSON) -> RolloutCheck {
    if let strategy = d["spec"]["updateStrategy"]["type"].stringValue, strategy != "RollingUpdate" {
      return .failed(reason: "UnsupportedStrategy", message: "daemonset uses the \(strategy) update strategy; pods are not replaced automatically")
    }
    let generation = d["metadata"]["generation"].intValue ?? 0
    let observed = d["status"]["observedGeneration"].intValue ?? 0
    guard generation <= observed else { return .waiting("waiting for the daemonset spec update to be observed") }
    let desired = d["status"]["desiredNumberScheduled"].intValue ?? 0
    let updated = d["status"]["updatedNumberScheduled"].intValue ?? 0
    let available = d["status"]["numberAvailable"].intValue ?? 0
    if updated < desired { return .waiting("\(updated) of \(desired) updated pods are scheduled") }
    if available < desired { return .waiting("\(available) of \(desired) updated pods are available") }
    return .done
  }
}
