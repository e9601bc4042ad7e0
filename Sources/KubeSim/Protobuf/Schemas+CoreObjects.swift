/// k8s.io/api `core/v1/generated.proto`: Namespace, ConfigMap, Secret, ServiceAccount, Service.
extension ProtoMessage {
  static let namespace = ProtoMessage("Namespace", [
    .objectMeta, .field(2, "spec", .message(.namespaceSpec)), .field(3, "status", .message(.namespaceStatus)),
  ])

  static let namespaceSpec = ProtoMessage("NamespaceSpec", [.list(1, "finalizers", .string)])

  static let namespaceStatus = ProtoMessage("NamespaceStatus", [
    .field(1, "phase", .string), .list(2, "conditions", .message(.namespaceCondition)),
  ])

  static let namespaceCondition = ProtoMessage("NamespaceCondition", [
    .kept(1, "type", .string), .kept(2, "status", .string), .field(4, "lastTransitionTime", .time),
    .field(5, "reason", .string), .field(6, "message", .string),
  ])

  static let configMap = ProtoMessage("ConfigMap", [
    .objectMeta, .field(2, "data", .map(.string)), .field(3, "binaryData", .map(.bytes)), .kept(4, "immutable", .bool),
  ])

  static let secret = ProtoMessage("Secret", [
    .objectMeta, .field(2, "data", .map(.bytes)), .field(3, "type", .string), .field(4, "stringData", .map(.string)),
    .kept(5, "immutable", .bool),
  ])

  static let serviceAccount = ProtoMessage("ServiceAccount", [
    .objectMeta, .list(2, "secrets", .message(.objectReference)), .list(3, "imagePullSecrets", .message(.localObjectReference)),
    .kept(4, "automountServiceAccountToken", .bool),
  ])

  static let objectReference = ProtoMessage("ObjectReference", [
    .field(1, "kind", .string), .field(2, "namespace", .string), .field(3, "name", .string), .field(4, "uid", .string),
    .field(5, "apiVersion", .string), .field(6, "resourceVersion", .string), .field(7, "fieldPath", .string),
  ])

  static let localObjectReference = ProtoMessage("LocalObjectReference", [.field(1, "name", .string)])

  static let service = ProtoMessage("Service", [
    .objectMeta, .field(2, "spec", .message(.serviceSpec)), .field(3, "status", .message(.serviceStatus)),
  ])

  static let serviceSpec = ProtoMessage("ServiceSpec", [
    .list(1, "ports", .message(.servicePort)), .field(2, "selector", .map(.string)), .field(3, "clusterIP", .string),
    .field(4, "type", .string), .list(5, "externalIPs", .string), .field(7, "sessionAffinity", .string),
    .field(8, "loadBalancerIP", .string), .list(9, "loadBalancerSourceRanges", .string), .field(10, "externalName", .string),
    .field(11, "externalTrafficPolicy", .string), .field(12, "healthCheckNodePort", .int),
    .field(13, "publishNotReadyAddresses", .bool), .field(14, "sessionAffinityConfig", .message(.sessionAffinityConfig)),
    .kept(17, "ipFamilyPolicy", .string), .list(18, "clusterIPs", .string), .list(19, "ipFamilies", .string),
    .kept(20, "allocateLoadBalancerNodePorts", .bool), .kept(21, "loadBalancerClass", .string),
    .kept(22, "internalTrafficPolicy", .string), .kept(23, "trafficDistribution", .string),
  ])

  /// `targetPort` 0 is left out, so KubeSim's default (the port) applies as the apiserver's does.
  static let servicePort = ProtoMessage("ServicePort", [
    .field(1, "name", .string), .field(2, "protocol", .string), .kept(3, "port", .int), .field(4, "targetPort", .intOrString),
    .field(5, "nodePort", .int), .kept(6, "appProtocol", .string),
  ])

  static let sessionAffinityConfig = ProtoMessage("SessionAffinityConfig", [.field(1, "clientIP", .message(.clientIPConfig))])

  static let clientIPConfig = ProtoMessage("ClientIPConfig", [.kept(1, "timeoutSeconds", .int)])

  static let serviceStatus = ProtoMessage("ServiceStatus", [
    .field(1, "loadBalancer", .message(.loadBalancerStatus)), .list(2, "conditions", .message(.condition)),
  ])

  static let loadBalancerStatus = ProtoMessage("LoadBalancerStatus", [.list(1, "ingress", .message(.loadBalancerIngress))])

  static let loadBalancerIngress = ProtoMessage("LoadBalancerIngress", [
    .field(1, "ip", .string), .field(2, "hostname", .string), .kept(3, "ipMode", .string), .list(4, "ports", .message(.portStatus)),
  ])

  static let portStatus = ProtoMessage("PortStatus", [.kept(1, "port", .int), .kept(2, "protocol", .string), .kept(3, "error", .string)])
}
