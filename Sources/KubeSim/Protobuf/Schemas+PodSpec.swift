/// k8s.io/api `core/v1/generated.proto`: PodTemplateSpec, PodSpec and its scheduling fields.
/// Not described (skipped on decode): ephemeralContainers, resourceClaims and alpha fields.
extension ProtoMessage {
  static let podTemplateSpec = ProtoMessage("PodTemplateSpec", [.objectMeta, .field(2, "spec", .message(.podSpec))])

  static let podSpec = ProtoMessage("PodSpec", [
    .list(1, "volumes", .message(.volume)), .list(2, "containers", .message(.container)), .field(3, "restartPolicy", .string),
    .kept(4, "terminationGracePeriodSeconds", .int), .kept(5, "activeDeadlineSeconds", .int), .field(6, "dnsPolicy", .string),
    .field(7, "nodeSelector", .map(.string)), .field(8, "serviceAccountName", .string), .field(9, "serviceAccount", .string),
    .field(10, "nodeName", .string), .field(11, "hostNetwork", .bool), .field(12, "hostPID", .bool), .field(13, "hostIPC", .bool),
    .field(14, "securityContext", .message(.podSecurityContext)), .list(15, "imagePullSecrets", .message(.localObjectReference)),
    .field(16, "hostname", .string), .field(17, "subdomain", .string), .field(18, "affinity", .message(.affinity)),
    .field(19, "schedulerName", .string), .list(20, "initContainers", .message(.container)),
    .kept(21, "automountServiceAccountToken", .bool), .list(22, "tolerations", .message(.toleration)),
    .list(23, "hostAliases", .message(.hostAlias)), .field(24, "priorityClassName", .string), .kept(25, "priority", .int),
    .field(26, "dnsConfig", .message(.podDNSConfig)), .kept(27, "shareProcessNamespace", .bool),
    .list(28, "readinessGates", .message(.podReadinessGate)), .kept(29, "runtimeClassName", .string),
    .kept(30, "enableServiceLinks", .bool), .kept(31, "preemptionPolicy", .string), .field(32, "overhead", .map(.quantity)),
    .list(33, "topologySpreadConstraints", .message(.topologySpreadConstraint)), .kept(35, "setHostnameAsFQDN", .bool),
    .field(36, "os", .message(.podOS)), .kept(37, "hostUsers", .bool), .list(38, "schedulingGates", .message(.podSchedulingGate)),
    .field(40, "resources", .message(.resourceRequirements)), .kept(41, "hostnameOverride", .string),
  ])

  static let toleration = ProtoMessage("Toleration", [
    .field(1, "key", .string), .field(2, "operator", .string), .field(3, "value", .string), .field(4, "effect", .string),
    .kept(5, "tolerationSeconds", .int),
  ])

  static let hostAlias = ProtoMessage("HostAlias", [.kept(1, "ip", .string), .list(2, "hostnames", .string)])

  static let podDNSConfig = ProtoMessage("PodDNSConfig", [
    .list(1, "nameservers", .string), .list(2, "searches", .string), .list(3, "options", .message(.podDNSConfigOption)),
  ])

  static let podDNSConfigOption = ProtoMessage("PodDNSConfigOption", [.field(1, "name", .string), .kept(2, "value", .string)])

  static let podReadinessGate = ProtoMessage("PodReadinessGate", [.kept(1, "conditionType", .string)])

  static let topologySpreadConstraint = ProtoMessage("TopologySpreadConstraint", [
    .kept(1, "maxSkew", .int), .kept(2, "topologyKey", .string), .kept(3, "whenUnsatisfiable", .string),
    .field(4, "labelSelector", .message(.labelSelector)), .kept(5, "minDomains", .int), .kept(6, "nodeAffinityPolicy", .string),
    .kept(7, "nodeTaintsPolicy", .string), .list(8, "matchLabelKeys", .string),
  ])

  static let podOS = ProtoMessage("PodOS", [.kept(1, "name", .string)])

  static let podSchedulingGate = ProtoMessage("PodSchedulingGate", [.kept(1, "name", .string)])

  static let affinity = ProtoMessage("Affinity", [
    .field(1, "nodeAffinity", .message(.nodeAffinity)), .field(2, "podAffinity", .message(.podAffinity("PodAffinity"))),
    .field(3, "podAntiAffinity", .message(.podAffinity("PodAntiAffinity"))),
  ])

  static let nodeAffinity = ProtoMessage("NodeAffinity", [
    .field(1, "requiredDuringSchedulingIgnoredDuringExecution", .message(.nodeSelector)),
    .list(2, "preferredDuringSchedulingIgnoredDuringExecution", .message(.preferredSchedulingTerm)),
  ])

  static let nodeSelector = ProtoMessage("NodeSelector", [.list(1, "nodeSelectorTerms", .message(.nodeSelectorTerm))])

  static let nodeSelectorTerm = ProtoMessage("NodeSelectorTerm", [
    .list(1, "matchExpressions", .message(.nodeSelectorRequirement)), .list(2, "matchFields", .message(.nodeSelectorRequirement)),
  ])

  static let nodeSelectorRequirement = ProtoMessage("NodeSelectorRequirement", [
    .kept(1, "key", .string), .kept(2, "operator", .string), .list(3, "values", .string),
  ])

  static let preferredSchedulingTerm = ProtoMessage("PreferredSchedulingTerm", [
    .kept(1, "weight", .int), .field(2, "preference", .message(.nodeSelectorTerm)),
  ])

  /// PodAffinity and PodAntiAffinity share their layout.
  static func podAffinity(_ name: String) -> ProtoMessage {
    ProtoMessage(name, [
      .list(1, "requiredDuringSchedulingIgnoredDuringExecution", .message(.podAffinityTerm)),
      .list(2, "preferredDuringSchedulingIgnoredDuringExecution", .message(.weightedPodAffinityTerm)),
    ])
  }

  static let podAffinityTerm = ProtoMessage("PodAffinityTerm", [
    .field(1, "labelSelector", .message(.labelSelector)), .list(2, "namespaces", .string), .kept(3, "topologyKey", .string),
    .field(4, "namespaceSelector", .message(.labelSelector)), .list(5, "matchLabelKeys", .string),
    .list(6, "mismatchLabelKeys", .string),
  ])

  static let weightedPodAffinityTerm = ProtoMessage("WeightedPodAffinityTerm", [
    .kept(1, "weight", .int), .field(2, "podAffinityTerm", .message(.podAffinityTerm)),
  ])
}
