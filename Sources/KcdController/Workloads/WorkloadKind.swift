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

  /// The API versions that serve this kind, preferred first. The apps/v1 kinds are GA since
  /// 1.9; CronJob is batch/v1 from 1.21 and only batch/v1beta1 before (up to 1.24).
  public var candidates: [KubeResource] {
    switch self {
    case .deployment: return [.deployments]
    case .statefulSet: return [.statefulSets]
    case .daemonSet: return [.daemonSets]
    case .replicaSet: return [.replicaSets]
    case .cronJob: return ["v1", "v1beta1"].map { KubeResource(group: "batch", version: $0, plural: "cronjobs", kind: "CronJob") }
    }
  }

  /// The version kcd uses when discovery has not said otherwise.
  public var preferredResource: KubeResource { candidates[0] }

  public var templatePath: [String] {
    self == .cronJob ? ["spec", "jobTemplate", "spec", "template"] : ["spec", "template"]
  }

  public func template(of workload: JSON) -> JSON { workload[path: templatePath] }

  /// How the rollout stands, by kubectl's `rollout status` rules for the kinds that have one.
  public func check(_ workload: Workload) -> RolloutCheck {
    switch self {
    case .deployment: return RolloutCheck.deployment(workload)
    case .statefulSet: return RolloutCheck.statefulSet(workload)
    case .daemonSet: return RolloutCheck.daemonSet(workload)
    case .cronJob, .replicaSet: return .done
    }
  }
}
