/// k8s.io/api `core/v1/generated.proto`: probes and lifecycle hooks.
extension ProtoMessage {
  /// The handler is embedded inline: `exec`, `httpGet`, … sit beside `periodSeconds` in JSON.
  static let probe = ProtoMessage("Probe", [
    .inline(1, "handler", .probeHandler), .field(2, "initialDelaySeconds", .int), .field(3, "timeoutSeconds", .int),
    .field(4, "periodSeconds", .int), .field(5, "successThreshold", .int), .field(6, "failureThreshold", .int),
    .kept(7, "terminationGracePeriodSeconds", .int),
  ])

  static let probeHandler = ProtoMessage("ProbeHandler", [
    .field(1, "exec", .message(.execAction)), .field(2, "httpGet", .message(.httpGetAction)),
    .field(3, "tcpSocket", .message(.tcpSocketAction)), .field(4, "grpc", .message(.grpcAction)),
  ])

  static let lifecycle = ProtoMessage("Lifecycle", [
    .field(1, "postStart", .message(.lifecycleHandler)), .field(2, "preStop", .message(.lifecycleHandler)),
    .kept(3, "stopSignal", .string),
  ])

  static let lifecycleHandler = ProtoMessage("LifecycleHandler", [
    .field(1, "exec", .message(.execAction)), .field(2, "httpGet", .message(.httpGetAction)),
    .field(3, "tcpSocket", .message(.tcpSocketAction)), .field(4, "sleep", .message(.sleepAction)),
  ])

  static let execAction = ProtoMessage("ExecAction", [.list(1, "command", .string)])

  static let httpGetAction = ProtoMessage("HTTPGetAction", [
    .field(1, "path", .string), .kept(2, "port", .intOrString), .field(3, "host", .string), .field(4, "scheme", .string),
    .list(5, "httpHeaders", .message(.httpHeader)),
  ])

  static let httpHeader = ProtoMessage("HTTPHeader", [.kept(1, "name", .string), .kept(2, "value", .string)])

  static let tcpSocketAction = ProtoMessage("TCPSocketAction", [.kept(1, "port", .intOrString), .field(2, "host", .string)])

  static let grpcAction = ProtoMessage("GRPCAction", [.kept(1, "port", .int), .kept(2, "service", .string)])

  static let sleepAction = ProtoMessage("SleepAction", [.kept(1, "seconds", .int)])
}
