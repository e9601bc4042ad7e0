/// A blue-green change to a Service: its selector's `labelNames` values set to one side's
/// (merge patch: the other selector labels stay), only if the Service is still the copy read.
public struct ServicePatch: Sendable, Equatable {
  public var name: String
  /// The read copy's resourceVersion (precondition).
  public var resourceVersion: String
  public var selector: [String: String]
  /// The Event recorded on the Service and the KCD once the API accepted it.
  public var reason: String
  public var note: String
}

/// A blue-green change to a Deployment's `spec.replicas` (merge patch of that field only).
public struct WorkloadScale: Sendable, Equatable {
  public var ref: WorkloadRef
  public var replicas: Int64
  /// The Event recorded on the workload and the KCD once the API accepted it.
  public var reason: String
  public var note: String
}
