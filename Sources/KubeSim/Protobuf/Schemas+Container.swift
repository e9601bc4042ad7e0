/// k8s.io/api `core/v1/generated.proto`: Container, its environment, ports, resources, mounts and
/// probes. Not described (skipped on decode): `restartPolicyRules` and the alpha `fileKeyRef`.
extension ProtoMessage {
  static let container = ProtoMessage("Container", [
    .kept(1, "name", .string), .field(2, "image", .string), .list(3, "command", .string), .list(4, "args", .string),
    .field(5, "workingDir", .string), .list(6, "ports", .message(.containerPort)), .list(7, "env", .message(.envVar)),
    .field(8, "resources", .message(.resourceRequirements)), .list(9, "volumeMounts", .message(.volumeMount)),
    .field(10, "livenessProbe", .message(.probe)), .field(11, "readinessProbe", .message(.probe)),
    .field(12, "lifecycle", .message(.lifecycle)), .field(13, "terminationMessagePath", .string),
    .field(14, "imagePullPolicy", .string), .field(15, "securityContext", .message(.securityContext)),
    .field(16, "stdin", .bool), .field(17, "stdinOnce", .bool), .field(18, "tty", .bool),
    .list(19, "envFrom", .message(.envFromSource)), .field(20, "terminationMessagePolicy", .string),
    .list(21, "volumeDevices", .message(.volumeDevice)), .field(22, "startupProbe", .message(.probe)),
    .list(23, "resizePolicy", .message(.containerResizePolicy)), .kept(24, "restartPolicy", .string),
  ])

  static let containerPort = ProtoMessage("ContainerPort", [
    .field(1, "name", .string), .field(2, "hostPort", .int), .kept(3, "containerPort", .int), .field(4, "protocol", .string),
    .field(5, "hostIP", .string),
  ])

  static let envVar = ProtoMessage("EnvVar", [
    .kept(1, "name", .string), .field(2, "value", .string), .field(3, "valueFrom", .message(.envVarSource)),
  ])

  static let envVarSource = ProtoMessage("EnvVarSource", [
    .field(1, "fieldRef", .message(.objectFieldSelector)), .field(2, "resourceFieldRef", .message(.resourceFieldSelector)),
    .field(3, "configMapKeyRef", .message(.keySelector("ConfigMapKeySelector"))),
    .field(4, "secretKeyRef", .message(.keySelector("SecretKeySelector"))),
  ])

  static let objectFieldSelector = ProtoMessage("ObjectFieldSelector", [.field(1, "apiVersion", .string), .kept(2, "fieldPath", .string)])

  static let resourceFieldSelector = ProtoMessage("ResourceFieldSelector", [
    .field(1, "containerName", .string), .kept(2, "resource", .string), .field(3, "divisor", .quantity),
  ])

  /// ConfigMapKeySelector and SecretKeySelector: an inline LocalObjectReference, key, optional.
  static func keySelector(_ name: String) -> ProtoMessage {
    ProtoMessage(name, [.inline(1, "localObjectReference", .localObjectReference), .kept(2, "key", .string), .kept(3, "optional", .bool)])
  }

  static let envFromSource = ProtoMessage("EnvFromSource", [
    .field(1, "prefix", .string), .field(2, "configMapRef", .message(.envSource("ConfigMapEnvSource"))),
    .field(3, "secretRef", .message(.envSource("SecretEnvSource"))),
  ])

  static func envSource(_ name: String) -> ProtoMessage {
    ProtoMessage(name, [.inline(1, "localObjectReference", .localObjectReference), .kept(2, "optional", .bool)])
  }

  static let resourceRequirements = ProtoMessage("ResourceRequirements", [
    .field(1, "limits", .map(.quantity)), .field(2, "requests", .map(.quantity)), .list(3, "claims", .message(.resourceClaim)),
  ])

  static let resourceClaim = ProtoMessage("ResourceClaim", [.kept(1, "name", .string), .field(2, "request", .string)])

  static let containerResizePolicy = ProtoMessage("ContainerResizePolicy", [
    .kept(1, "resourceName", .string), .kept(2, "restartPolicy", .string),
  ])

  static let volumeMount = ProtoMessage("VolumeMount", [
    .kept(1, "name", .string), .field(2, "readOnly", .bool), .kept(3, "mountPath", .string), .field(4, "subPath", .string),
    .kept(5, "mountPropagation", .string), .field(6, "subPathExpr", .string), .kept(7, "recursiveReadOnly", .string),
  ])

  static let volumeDevice = ProtoMessage("VolumeDevice", [.kept(1, "name", .string), .kept(2, "devicePath", .string)])
}
