/// How a workload's rollout stands, by kubectl's `rollout status` rules plus early failure on
/// pods that cannot start. Pure: it reads the values it is given.
public enum RolloutCheck: Sendable, Equatable {
  case waiting(String)
  case done
  case failed(reason: String, message: String)

  /// Pod states that never fix themselves: fail now rather than at the progress deadline.
  public static let fatalWaitingReasons: Set<String> = ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "InvalidImageName"]

  public static func deployment(_ d: Workload) -> RolloutCheck {
    let p = d.progress
    guard d.generation <= p.observedGeneration else { return .waiting("waiting for the deployment spec update to be observed") }
    if let m = p.progressDeadlineExceeded { return .failed(reason: "ProgressDeadlineExceeded", message: "deployment exceeded its progress deadline: \(m)") }
    if let m = p.replicaFailure { return .failed(reason: "ReplicaFailure", message: m) }
    if p.updatedReplicas < p.replicas { return .waiting("\(p.updatedReplicas) of \(p.replicas) new replicas have been updated") }
    if p.currentReplicas > p.updatedReplicas { return .waiting("\(p.currentReplicas - p.updatedReplicas) old replicas are pending termination") }
    if p.availableReplicas < p.updatedReplicas { return .waiting("\(p.availableReplicas) of \(p.updatedReplicas) updated replicas are available") }
    return .done
  }

  /// kubectl's StatefulSet rules (with the partition the apiserver defaults).
  public static func statefulSet(_ s: Workload) -> RolloutCheck {
    let p = s.progress
    if let strategy = p.updateStrategy, strategy != "RollingUpdate" {
      return .failed(reason: "UnsupportedStrategy", message: "statefulset uses the \(strategy) update strategy; pods are not replaced automatically")
    }
    guard p.observedGeneration > 0, s.generation <= p.observedGeneration else { return .waiting("waiting for the statefulset spec update to be observed") }
    if p.readyReplicas < p.replicas { return .waiting("\(p.readyReplicas) of \(p.replicas) pods are ready") }
    if p.updatedReplicas < p.replicas - p.partition { return .waiting("\(p.updatedReplicas) of \(p.replicas - p.partition) pods are updated") }
    return .done
  }

  /// kubectl's DaemonSet rules.
  public static func daemonSet(_ d: Workload) -> RolloutCheck {
    let p = d.progress
    if let strategy = p.updateStrategy, strategy != "RollingUpdate" {
      return .failed(reason: "UnsupportedStrategy", message: "daemonset uses the \(strategy) update strategy; pods are not replaced automatically")
    }
    guard d.generation <= p.observedGeneration else { return .waiting("waiting for the daemonset spec update to be observed") }
    if p.updatedNumberScheduled < p.desiredNumberScheduled { return .waiting("\(p.updatedNumberScheduled) of \(p.desiredNumberScheduled) updated pods are scheduled") }
    if p.numberAvailable < p.desiredNumberScheduled { return .waiting("\(p.numberAvailable) of \(p.desiredNumberScheduled) updated pods are available") }
    return .done
  }
}

/// A pod as the stuck-pod check sees it.
public struct PodSummary: Sendable, Equatable {
  public var name: String
  public var images: [String]
  /// Container name → the reason it is waiting, for waiting containers.
  public var waiting: [(container: String, reason: String)]

  public init(name: String, images: [String], waiting: [(container: String, reason: String)]) {
    self.name = name
    self.images = images
    self.waiting = waiting
  }

  public static func == (a: PodSummary, b: PodSummary) -> Bool {
    a.name == b.name && a.images == b.images && a.waiting.map { "\($0.container)\u{0}\($0.reason)" } == b.waiting.map { "\($0.container)\u{0}\($0.reason)" }
  }
}

extension RolloutCheck {
  /// A pod running `image` stuck in a state that will not recover, if any.
  public static func stuckPod(_ pods: [PodSummary], image: String) -> RolloutCheck? {
    for pod in pods where pod.images.contains(image) {
      for w in pod.waiting where fatalWaitingReasons.contains(w.reason) {
        return .failed(reason: w.reason, message: "pod \(pod.name) container \(w.container): \(w.reason)")
      }
    }
    return nil
  }
}
