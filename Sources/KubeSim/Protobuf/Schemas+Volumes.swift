/// k8s.io/api `core/v1/generated.proto`: volumes and PersistentVolumeClaims. Volume sources not
/// described (cloud disks, iscsi, ephemeral, …) are skipped on decode.
extension ProtoMessage {
  /// The source is embedded inline: `configMap`, `secret`, … sit beside `name` in JSON.
  static let volume = ProtoMessage("Volume", [.kept(1, "name", .string), .inline(2, "volumeSource", .volumeSource)])

  static let volumeSource = ProtoMessage("VolumeSource", [
    .field(1, "hostPath", .message(.hostPathVolumeSource)), .field(2, "emptyDir", .message(.emptyDirVolumeSource)),
    .field(6, "secret", .message(.secretVolumeSource)), .field(7, "nfs", .message(.nfsVolumeSource)),
    .field(10, "persistentVolumeClaim", .message(.persistentVolumeClaimVolumeSource)),
    .field(16, "downwardAPI", .message(.downwardAPIVolumeSource)), .field(19, "configMap", .message(.configMapVolumeSource)),
    .field(26, "projected", .message(.projectedVolumeSource)), .field(28, "csi", .message(.csiVolumeSource)),
    .field(30, "image", .message(.imageVolumeSource)),
  ])

  static let hostPathVolumeSource = ProtoMessage("HostPathVolumeSource", [.kept(1, "path", .string), .kept(2, "type", .string)])

  static let emptyDirVolumeSource = ProtoMessage("EmptyDirVolumeSource", [.field(1, "medium", .string), .kept(2, "sizeLimit", .quantity)])

  static let secretVolumeSource = ProtoMessage("SecretVolumeSource", [
    .field(1, "secretName", .string), .list(2, "items", .message(.keyToPath)), .kept(3, "defaultMode", .int),
    .kept(4, "optional", .bool),
  ])

  static let configMapVolumeSource = ProtoMessage("ConfigMapVolumeSource", [
    .inline(1, "localObjectReference", .localObjectReference), .list(2, "items", .message(.keyToPath)),
    .kept(3, "defaultMode", .int), .kept(4, "optional", .bool),
  ])

  static let keyToPath = ProtoMessage("KeyToPath", [.kept(1, "key", .string), .kept(2, "path", .string), .kept(3, "mode", .int)])

  static let nfsVolumeSource = ProtoMessage("NFSVolumeSource", [.kept(1, "server", .string), .kept(2, "path", .string), .field(3, "readOnly", .bool)])

  static let persistentVolumeClaimVolumeSource = ProtoMessage("PersistentVolumeClaimVolumeSource", [
    .kept(1, "claimName", .string), .field(2, "readOnly", .bool),
  ])

  static let downwardAPIVolumeSource = ProtoMessage("DownwardAPIVolumeSource", [
    .list(1, "items", .message(.downwardAPIVolumeFile)), .kept(2, "defaultMode", .int),
  ])

  static let downwardAPIVolumeFile = ProtoMessage("DownwardAPIVolumeFile", [
    .kept(1, "path", .string), .field(2, "fieldRef", .message(.objectFieldSelector)),
    .field(3, "resourceFieldRef", .message(.resourceFieldSelector)), .kept(4, "mode", .int),
  ])

  static let projectedVolumeSource = ProtoMessage("ProjectedVolumeSource", [
    .list(1, "sources", .message(.volumeProjection)), .kept(2, "defaultMode", .int),
  ])

  static let volumeProjection = ProtoMessage("VolumeProjection", [
    .field(1, "secret", .message(.projection("SecretProjection"))), .field(2, "downwardAPI", .message(.downwardAPIProjection)),
    .field(3, "configMap", .message(.projection("ConfigMapProjection"))),
    .field(4, "serviceAccountToken", .message(.serviceAccountTokenProjection)),
  ])

  /// SecretProjection and ConfigMapProjection: an inline LocalObjectReference, items, optional.
  static func projection(_ name: String) -> ProtoMessage {
    ProtoMessage(name, [
      .inline(1, "localObjectReference", .localObjectReference), .list(2, "items", .message(.keyToPath)), .kept(4, "optional", .bool),
    ])
  }

  static let downwardAPIProjection = ProtoMessage("DownwardAPIProjection", [.list(1, "items", .message(.downwardAPIVolumeFile))])

  static let serviceAccountTokenProjection = ProtoMessage("ServiceAccountTokenProjection", [
    .field(1, "audience", .string), .kept(2, "expirationSeconds", .int), .kept(3, "path", .string),
  ])

  static let csiVolumeSource = ProtoMessage("CSIVolumeSource", [
    .kept(1, "driver", .string), .kept(2, "readOnly", .bool), .kept(3, "fsType", .string),
    .field(4, "volumeAttributes", .map(.string)), .field(5, "nodePublishSecretRef", .message(.localObjectReference)),
  ])

  static let imageVolumeSource = ProtoMessage("ImageVolumeSource", [.field(1, "reference", .string), .field(2, "pullPolicy", .string)])

  static let persistentVolumeClaim = ProtoMessage("PersistentVolumeClaim", [
    .objectMeta, .field(2, "spec", .message(.persistentVolumeClaimSpec)), .field(3, "status", .message(.persistentVolumeClaimStatus)),
  ])

  static let persistentVolumeClaimSpec = ProtoMessage("PersistentVolumeClaimSpec", [
    .list(1, "accessModes", .string), .field(2, "resources", .message(.volumeResourceRequirements)), .field(3, "volumeName", .string),
    .field(4, "selector", .message(.labelSelector)), .kept(5, "storageClassName", .string), .kept(6, "volumeMode", .string),
    .field(7, "dataSource", .message(.typedObjectReference("TypedLocalObjectReference"))),
    .field(8, "dataSourceRef", .message(.typedObjectReference("TypedObjectReference"))),
    .kept(9, "volumeAttributesClassName", .string),
  ])

  static let volumeResourceRequirements = ProtoMessage("VolumeResourceRequirements", [
    .field(1, "limits", .map(.quantity)), .field(2, "requests", .map(.quantity)),
  ])

  /// TypedLocalObjectReference has no namespace (4); it is harmless to describe it for both.
  static func typedObjectReference(_ name: String) -> ProtoMessage {
    ProtoMessage(name, [.kept(1, "apiGroup", .string), .kept(2, "kind", .string), .kept(3, "name", .string), .kept(4, "namespace", .string)])
  }

  static let persistentVolumeClaimStatus = ProtoMessage("PersistentVolumeClaimStatus", [
    .field(1, "phase", .string), .list(2, "accessModes", .string), .field(3, "capacity", .map(.quantity)),
    .field(5, "allocatedResources", .map(.quantity)), .field(7, "allocatedResourceStatuses", .map(.string)),
    .kept(8, "currentVolumeAttributesClassName", .string),
  ])
}
