/// k8s.io/apimachinery `pkg/apis/meta/v1/generated.proto`.
extension ProtoMessage {
  static let objectMeta = ProtoMessage("ObjectMeta", [
    .field(1, "name", .string), .field(2, "generateName", .string), .field(3, "namespace", .string),
    .field(4, "selfLink", .string), .field(5, "uid", .string), .field(6, "resourceVersion", .string),
    .field(7, "generation", .int), .field(8, "creationTimestamp", .time), .kept(9, "deletionTimestamp", .time),
    .kept(10, "deletionGracePeriodSeconds", .int), .field(11, "labels", .map(.string)), .field(12, "annotations", .map(.string)),
    .list(13, "ownerReferences", .message(.ownerReference)), .list(14, "finalizers", .string),
    .list(17, "managedFields", .message(.managedFieldsEntry)),
  ])

  static let ownerReference = ProtoMessage("OwnerReference", [
    .kept(1, "kind", .string), .kept(3, "name", .string), .kept(4, "uid", .string), .kept(5, "apiVersion", .string),
    .kept(6, "controller", .bool), .kept(7, "blockOwnerDeletion", .bool),
  ])

  /// KubeSim keeps no managedFields, but a client may send them: they are read, not dropped.
  static let managedFieldsEntry = ProtoMessage("ManagedFieldsEntry", [
    .field(1, "manager", .string), .field(2, "operation", .string), .field(3, "apiVersion", .string),
    .kept(4, "time", .time), .field(6, "fieldsType", .string), .kept(7, "fieldsV1", .rawJSON), .field(8, "subresource", .string),
  ])

  static let labelSelector = ProtoMessage("LabelSelector", [
    .field(1, "matchLabels", .map(.string)), .list(2, "matchExpressions", .message(.labelSelectorRequirement)),
  ])

  static let labelSelectorRequirement = ProtoMessage("LabelSelectorRequirement", [
    .kept(1, "key", .string), .kept(2, "operator", .string), .list(3, "values", .string),
  ])

  static let listMeta = ProtoMessage("ListMeta", [
    .field(1, "selfLink", .string), .field(2, "resourceVersion", .string), .field(3, "continue", .string),
    .kept(4, "remainingItemCount", .int),
  ])

  /// metav1.Condition (Service status).
  static let condition = ProtoMessage("Condition", [
    .kept(1, "type", .string), .kept(2, "status", .string), .field(3, "observedGeneration", .int),
    .field(4, "lastTransitionTime", .time), .kept(5, "reason", .string), .kept(6, "message", .string),
  ])

  static let status = ProtoMessage("Status", [
    .field(1, "metadata", .message(.listMeta)), .field(2, "status", .string), .field(3, "message", .string),
    .field(4, "reason", .string), .field(5, "details", .message(.statusDetails)), .field(6, "code", .int),
  ])

  static let statusDetails = ProtoMessage("StatusDetails", [
    .field(1, "name", .string), .field(2, "group", .string), .field(3, "kind", .string),
    .list(4, "causes", .message(.statusCause)), .field(5, "retryAfterSeconds", .int), .field(6, "uid", .string),
  ])

  static let statusCause = ProtoMessage("StatusCause", [
    .field(1, "reason", .string), .field(2, "message", .string), .field(3, "field", .string),
  ])
}
