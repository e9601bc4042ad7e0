/// k8s.io/api `coordination/v1` (Lease) and `autoscaling/v1` (Scale) generated.proto.
extension ProtoMessage {
  static let lease = ProtoMessage("Lease", [.objectMeta, .field(2, "spec", .message(.leaseSpec))])

  /// Every field is a Go pointer; the times are MicroTime (six fractional digits in JSON).
  static let leaseSpec = ProtoMessage("LeaseSpec", [
    .kept(1, "holderIdentity", .string), .kept(2, "leaseDurationSeconds", .int), .kept(3, "acquireTime", .microTime),
    .kept(4, "renewTime", .microTime), .kept(5, "leaseTransitions", .int), .kept(6, "strategy", .string),
    .kept(7, "preferredHolder", .string),
  ])

  /// `spec.replicas` is `omitempty` in Go, but gogo always writes it and scaling to 0 must
  /// reach the scale handler, so its zero is kept.
  static let scale = workload("Scale", spec: ProtoMessage("ScaleSpec", [.kept(1, "replicas", .int)]),
                              status: ProtoMessage("ScaleStatus", [.kept(1, "replicas", .int), .field(2, "selector", .string)]))
}
