/// k8s.io/api `networking/v1/generated.proto`: Ingress and NetworkPolicy.
extension ProtoMessage {
  static let ingress = ProtoMessage("Ingress", [
    .objectMeta, .field(2, "spec", .message(.ingressSpec)), .field(3, "status", .message(.ingressStatus)),
  ])

  static let ingressSpec = ProtoMessage("IngressSpec", [
    .field(1, "defaultBackend", .message(.ingressBackend)), .list(2, "tls", .message(.ingressTLS)),
    .list(3, "rules", .message(.ingressRule)), .kept(4, "ingressClassName", .string),
  ])

  static let ingressBackend = ProtoMessage("IngressBackend", [
    .field(3, "resource", .message(.typedObjectReference("TypedLocalObjectReference"))),
    .field(4, "service", .message(.ingressServiceBackend)),
  ])

  static let ingressServiceBackend = ProtoMessage("IngressServiceBackend", [
    .kept(1, "name", .string), .field(2, "port", .message(.serviceBackendPort)),
  ])

  static let serviceBackendPort = ProtoMessage("ServiceBackendPort", [.field(1, "name", .string), .field(2, "number", .int)])

  static let ingressTLS = ProtoMessage("IngressTLS", [.list(1, "hosts", .string), .field(2, "secretName", .string)])

  /// `ingressRuleValue` is embedded inline in Go: `http` sits beside `host` in JSON.
  static let ingressRule = ProtoMessage("IngressRule", [
    .field(1, "host", .string), .inline(2, "ingressRuleValue", .ingressRuleValue),
  ])

  static let ingressRuleValue = ProtoMessage("IngressRuleValue", [.field(1, "http", .message(.httpIngressRuleValue))])

  static let httpIngressRuleValue = ProtoMessage("HTTPIngressRuleValue", [.list(1, "paths", .message(.httpIngressPath))])

  static let httpIngressPath = ProtoMessage("HTTPIngressPath", [
    .field(1, "path", .string), .field(2, "backend", .message(.ingressBackend)), .kept(3, "pathType", .string),
  ])

  static let ingressStatus = ProtoMessage("IngressStatus", [.field(1, "loadBalancer", .message(.ingressLoadBalancerStatus))])

  static let ingressLoadBalancerStatus = ProtoMessage("IngressLoadBalancerStatus", [
    .list(1, "ingress", .message(.ingressLoadBalancerIngress)),
  ])

  static let ingressLoadBalancerIngress = ProtoMessage("IngressLoadBalancerIngress", [
    .field(1, "ip", .string), .field(2, "hostname", .string), .list(4, "ports", .message(.portStatus)),
  ])

  static let networkPolicy = ProtoMessage("NetworkPolicy", [.objectMeta, .field(2, "spec", .message(.networkPolicySpec))])

  static let networkPolicySpec = ProtoMessage("NetworkPolicySpec", [
    .field(1, "podSelector", .message(.labelSelector)), .list(2, "ingress", .message(.networkPolicyIngressRule)),
    .list(3, "egress", .message(.networkPolicyEgressRule)), .list(4, "policyTypes", .string),
  ])

  static let networkPolicyIngressRule = ProtoMessage("NetworkPolicyIngressRule", [
    .list(1, "ports", .message(.networkPolicyPort)), .list(2, "from", .message(.networkPolicyPeer)),
  ])

  static let networkPolicyEgressRule = ProtoMessage("NetworkPolicyEgressRule", [
    .list(1, "ports", .message(.networkPolicyPort)), .list(2, "to", .message(.networkPolicyPeer)),
  ])

  /// Every member is a Go pointer.
  static let networkPolicyPort = ProtoMessage("NetworkPolicyPort", [
    .kept(1, "protocol", .string), .kept(2, "port", .intOrString), .kept(3, "endPort", .int),
  ])

  static let networkPolicyPeer = ProtoMessage("NetworkPolicyPeer", [
    .field(1, "podSelector", .message(.labelSelector)), .field(2, "namespaceSelector", .message(.labelSelector)),
    .field(3, "ipBlock", .message(.ipBlock)),
  ])

  static let ipBlock = ProtoMessage("IPBlock", [.kept(1, "cidr", .string), .list(2, "except", .string)])
}
