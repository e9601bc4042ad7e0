/// k8s.io/api `core/v1/generated.proto`: Pod and the parts of PodStatus that KubeSim's
/// simulated kubelet writes, plus their neighbours.
extension ProtoMessage {
  static let pod = ProtoMessage("Pod", [.objectMeta, .field(2, "spec", .message(.podSpec)), .field(3, "status", .message(.podStatus))])

  static let podStatus = ProtoMessage("PodStatus", [
    .field(1, "phase", .string), .list(2, "conditions", .message(.podCondition)), .field(3, "message", .string),
    .field(4, "reason", .string), .field(5, "hostIP", .string), .field(6, "podIP", .string), .kept(7, "startTime", .time),
    .list(8, "containerStatuses", .message(.containerStatus)), .field(9, "qosClass", .string),
    .list(10, "initContainerStatuses", .message(.containerStatus)), .field(11, "nominatedNodeName", .string),
    .list(12, "podIPs", .message(.ipAddress("PodIP"))), .list(13, "ephemeralContainerStatuses", .message(.containerStatus)),
    .field(14, "resize", .string), .list(16, "hostIPs", .message(.ipAddress("HostIP"))), .field(17, "observedGeneration", .int),
  ])

  static let podCondition = ProtoMessage("PodCondition", [
    .kept(1, "type", .string), .kept(2, "status", .string), .field(3, "lastProbeTime", .time),
    .field(4, "lastTransitionTime", .time), .field(5, "reason", .string), .field(6, "message", .string),
    .field(7, "observedGeneration", .int),
  ])

  /// PodIP and HostIP: {ip = 1}.
  static func ipAddress(_ name: String) -> ProtoMessage { ProtoMessage(name, [.kept(1, "ip", .string)]) }

  static let containerStatus = ProtoMessage("ContainerStatus", [
    .kept(1, "name", .string), .field(2, "state", .message(.containerState)), .field(3, "lastState", .message(.containerState)),
    .kept(4, "ready", .bool), .kept(5, "restartCount", .int), .kept(6, "image", .string), .kept(7, "imageID", .string),
    .field(8, "containerID", .string), .kept(9, "started", .bool), .field(10, "allocatedResources", .map(.quantity)),
    .field(11, "resources", .message(.resourceRequirements)), .kept(15, "stopSignal", .string),
  ])

  static let containerState = ProtoMessage("ContainerState", [
    .field(1, "waiting", .message(.containerStateWaiting)), .field(2, "running", .message(.containerStateRunning)),
    .field(3, "terminated", .message(.containerStateTerminated)),
  ])

  static let containerStateWaiting = ProtoMessage("ContainerStateWaiting", [.field(1, "reason", .string), .field(2, "message", .string)])

  static let containerStateRunning = ProtoMessage("ContainerStateRunning", [.field(1, "startedAt", .time)])

  static let containerStateTerminated = ProtoMessage("ContainerStateTerminated", [
    .kept(1, "exitCode", .int), .field(2, "signal", .int), .field(3, "reason", .string), .field(4, "message", .string),
    .field(5, "startedAt", .time), .field(6, "finishedAt", .time), .field(7, "containerID", .string),
  ])
}
