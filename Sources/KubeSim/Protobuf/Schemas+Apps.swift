/// k8s.io/api `apps/v1/generated.proto`.
extension ProtoMessage {
  static let deployment = workload("Deployment", spec: .deploymentSpec, status: .deploymentStatus)
  static let replicaSet = workload("ReplicaSet", spec: .replicaSetSpec, status: .replicaSetStatus)
  static let statefulSet = workload("StatefulSet", spec: .statefulSetSpec, status: .statefulSetStatus)
  static let daemonSet = workload("DaemonSet", spec: .daemonSetSpec, status: .daemonSetStatus)

  /// {metadata = 1, spec = 2, status = 3}: the layout of every workload kind.
  static func workload(_ name: String, spec: ProtoMessage, status: ProtoMessage) -> ProtoMessage {
    ProtoMessage(name, [.objectMeta, .field(2, "spec", .message(spec)), .field(3, "status", .message(status))])
  }

  static let deploymentSpec = ProtoMessage("DeploymentSpec", [
    .kept(1, "replicas", .int), .field(2, "selector", .message(.labelSelector)), .field(3, "template", .message(.podTemplateSpec)),
    .field(4, "strategy", .message(.deploymentStrategy)), .field(5, "minReadySeconds", .int), .kept(6, "revisionHistoryLimit", .int),
    .field(7, "paused", .bool), .kept(9, "progressDeadlineSeconds", .int),
  ])

  static let deploymentStrategy = ProtoMessage("DeploymentStrategy", [
    .field(1, "type", .string), .field(2, "rollingUpdate", .message(.rollingUpdate("RollingUpdateDeployment"))),
  ])

  /// RollingUpdateDeployment and RollingUpdateDaemonSet: `maxUnavailable: 0` is a setting, so zeros are kept.
  static func rollingUpdate(_ name: String) -> ProtoMessage {
    ProtoMessage(name, [.kept(1, "maxUnavailable", .intOrString), .kept(2, "maxSurge", .intOrString)])
  }

  static let deploymentStatus = ProtoMessage("DeploymentStatus", [
    .field(1, "observedGeneration", .int), .field(2, "replicas", .int), .field(3, "updatedReplicas", .int),
    .field(4, "availableReplicas", .int), .field(5, "unavailableReplicas", .int), .list(6, "conditions", .message(.deploymentCondition)),
    .field(7, "readyReplicas", .int), .kept(8, "collisionCount", .int), .kept(9, "terminatingReplicas", .int),
  ])

  static let deploymentCondition = ProtoMessage("DeploymentCondition", [
    .kept(1, "type", .string), .kept(2, "status", .string), .field(4, "reason", .string), .field(5, "message", .string),
    .field(6, "lastUpdateTime", .time), .field(7, "lastTransitionTime", .time),
  ])

  /// ReplicaSet, StatefulSet and DaemonSet conditions share this layout.
  static func workloadCondition(_ name: String) -> ProtoMessage {
    ProtoMessage(name, [
      .kept(1, "type", .string), .kept(2, "status", .string), .field(3, "lastTransitionTime", .time),
      .field(4, "reason", .string), .field(5, "message", .string),
    ])
  }

  static let replicaSetSpec = ProtoMessage("ReplicaSetSpec", [
    .kept(1, "replicas", .int), .field(2, "selector", .message(.labelSelector)), .field(3, "template", .message(.podTemplateSpec)),
    .field(4, "minReadySeconds", .int),
  ])

  static let replicaSetStatus = ProtoMessage("ReplicaSetStatus", [
    .kept(1, "replicas", .int), .field(2, "fullyLabeledReplicas", .int), .field(3, "observedGeneration", .int),
    .field(4, "readyReplicas", .int), .field(5, "availableReplicas", .int),
    .list(6, "conditions", .message(.workloadCondition("ReplicaSetCondition"))), .kept(7, "terminatingReplicas", .int),
  ])

  static let statefulSetSpec = ProtoMessage("StatefulSetSpec", [
    .kept(1, "replicas", .int), .field(2, "selector", .message(.labelSelector)), .field(3, "template", .message(.podTemplateSpec)),
    .list(4, "volumeClaimTemplates", .message(.persistentVolumeClaim)), .kept(5, "serviceName", .string),
    .field(6, "podManagementPolicy", .string), .field(7, "updateStrategy", .message(.statefulSetUpdateStrategy)),
    .kept(8, "revisionHistoryLimit", .int), .field(9, "minReadySeconds", .int),
    .field(10, "persistentVolumeClaimRetentionPolicy", .message(.statefulSetPVCRetentionPolicy)),
    .field(11, "ordinals", .message(.statefulSetOrdinals)),
  ])

  static let statefulSetUpdateStrategy = ProtoMessage("StatefulSetUpdateStrategy", [
    .field(1, "type", .string), .field(2, "rollingUpdate", .message(.rollingUpdateStatefulSetStrategy)),
  ])

  static let rollingUpdateStatefulSetStrategy = ProtoMessage("RollingUpdateStatefulSetStrategy", [
    .kept(1, "partition", .int), .kept(2, "maxUnavailable", .intOrString),
  ])

  static let statefulSetPVCRetentionPolicy = ProtoMessage("StatefulSetPersistentVolumeClaimRetentionPolicy", [
    .field(1, "whenDeleted", .string), .field(2, "whenScaled", .string),
  ])

  static let statefulSetOrdinals = ProtoMessage("StatefulSetOrdinals", [.kept(1, "start", .int)])

  static let statefulSetStatus = ProtoMessage("StatefulSetStatus", [
    .field(1, "observedGeneration", .int), .kept(2, "replicas", .int), .field(3, "readyReplicas", .int),
    .field(4, "currentReplicas", .int), .field(5, "updatedReplicas", .int), .field(6, "currentRevision", .string),
    .field(7, "updateRevision", .string), .kept(9, "collisionCount", .int),
    .list(10, "conditions", .message(.workloadCondition("StatefulSetCondition"))), .kept(11, "availableReplicas", .int),
  ])

  static let daemonSetSpec = ProtoMessage("DaemonSetSpec", [
    .field(1, "selector", .message(.labelSelector)), .field(2, "template", .message(.podTemplateSpec)),
    .field(3, "updateStrategy", .message(.daemonSetUpdateStrategy)), .field(4, "minReadySeconds", .int),
    .kept(6, "revisionHistoryLimit", .int),
  ])

  static let daemonSetUpdateStrategy = ProtoMessage("DaemonSetUpdateStrategy", [
    .field(1, "type", .string), .field(2, "rollingUpdate", .message(.rollingUpdate("RollingUpdateDaemonSet"))),
  ])

  static let daemonSetStatus = ProtoMessage("DaemonSetStatus", [
    .kept(1, "currentNumberScheduled", .int), .kept(2, "numberMisscheduled", .int), .kept(3, "desiredNumberScheduled", .int),
    .kept(4, "numberReady", .int), .field(5, "observedGeneration", .int), .field(6, "updatedNumberScheduled", .int),
    .field(7, "numberAvailable", .int), .field(8, "numberUnavailable", .int), .kept(9, "collisionCount", .int),
    .list(10, "conditions", .message(.workloadCondition("DaemonSetCondition"))),
  ])

  /// `data` is a RawExtension: the JSON document KubeSim stores (a `$patch: replace` template).
  static let controllerRevision = ProtoMessage("ControllerRevision", [.objectMeta, .kept(2, "data", .rawJSON), .kept(3, "revision", .int)])
}
