import KcdJSON

/// How a Deployment's rollout stands, by kubectl's `rollout status` rules plus early failure on
/// pods that cannot start. Pure: it reads the objects it is given.
public enum RolloutCheck: Sendable, Equatable {
  case waiting(String)
  case done
  case failed(reason: String, message: String)

  /// Pod states that never fix themselves: fail now rather than at the progress deadline.
  public static let fatalWaitingReasons: Set<String> = ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "InvalidImageName"]

  public static func deployment(_ d: JSON) -> RolloutCheck {
    let generation = d["metadata"]["generation"].intValue ?? 0
    let observed = d["status"]["observedGeneration"].intValue ?? 0
    guard generation <= observed else { return .waiting("waiting for the deployment spec update to be observed") }
    let conditions = d["status"]["conditions"].arrayValue ?? []
    if let p = conditions.first(where: { $0["type"] == "Progressing" }), p["reason"] == "ProgressDeadlineExceeded" {
      return .failed(reason: "ProgressDeadlineExceeded", message: "deployment exceeded its progress deadline: \(p["message"].stringValue ?? "")")
    }
    if let r = conditions.first(where: { $0["type"] == "ReplicaFailure" }), r["status"] == "True" {
      return .failed(reason: "ReplicaFailure", message: r["message"].stringValue ?? "replica failure")
    }
    let replicas = d["spec"]["replicas"].intValue ?? 1
    let updated = d["status"]["updatedReplicas"].intValue ?? 0
    let current = d["status"]["replicas"].intValue ?? 0
    let available = d["status"]["availableReplicas"].intValue ?? 0
    if updated < replicas { return .waiting("\(updated) of \(replicas) new replicas have been updated") }
    if current > updated { return .waiting("\(current - updated) old replicas are pending termination") }
    if available < updated { return .waiting("\(available) of \(updated) updated replicas are available") }
    return .done
  }

  /// A pod running `image` stuck in a state that will not recover, if any.
  public static func stuckPod(_ pods: [JSON], image: String) -> RolloutCheck? {
    for pod in pods {
      let containers = pod["spec"]["containers"].arrayValue ?? []
      guard containers.contains(where: { $0["image"].stringValue == image }) else { continue }
      for status in pod["status"]["containerStatuses"].arrayValue ?? [] {
        if let reason = status["state"]["waiting"]["reason"].stringValue, fatalWaitingReasons.contains(reason) {
          let name = pod["metadata"]["name"].stringValue ?? "a pod"
          return .failed(reason: reason, message: "pod \(name) container \(status["name"].stringValue ?? ""): \(reason)")
        }
      }
    }
    return nil
  }
}
