import KcdKube

/// Names a workload: kind, namespace, name.
public struct WorkloadRef: Sendable, Hashable, CustomStringConvertible {
  public var kind: WorkloadKind
  public var namespace: String
  public var name: String

  public init(kind: WorkloadKind, namespace: String, name: String) {
    self.kind = kind
    self.namespace = namespace
    self.name = name
  }

  public var description: String { "\(kind.rawValue) \(namespace)/\(name)" }
}

/// What kcd keeps of a workload (the informer cache stores this, not the object): identity,
/// labels, the pod template's containers, and the status fields kubectl's rollout rules read.
public struct Workload: Sendable, Equatable {
  public struct Container: Sendable, Equatable {
    public var name: String
    public var image: String

    public init(name: String, image: String) {
      self.name = name
      self.image = image
    }
  }

  public var ref: WorkloadRef
  public var uid: String
  public var resourceVersion: String
  public var generation: Int64
  public var labels: [String: String]
  /// Another controller owns it (`ownerReferences` with `controller: true`): not kcd's to change.
  public var isControlled: Bool
  public var containers: [Container]
  /// `matchLabels` of the pods it runs (to find stuck pods).
  public var podLabels: [String: String]
  /// The pod template's labels (what a Service selects; blue-green tells its sides apart by them).
  public var templateLabels: [String: String]
  public var pullSecrets: [String]
  public var serviceAccount: String?
  public var progress: WorkloadProgress

  public init(ref: WorkloadRef, uid: String = "", resourceVersion: String = "", generation: Int64 = 1, labels: [String: String] = [:],
              isControlled: Bool = false, containers: [Container] = [], podLabels: [String: String] = [:], pullSecrets: [String] = [],
              serviceAccount: String? = nil, progress: WorkloadProgress = WorkloadProgress(), templateLabels: [String: String] = [:]) {
    self.ref = ref
    self.uid = uid
    self.resourceVersion = resourceVersion
    self.generation = generation
    self.labels = labels
    self.isControlled = isControlled
    self.containers = containers
    self.podLabels = podLabels
    self.pullSecrets = pullSecrets
    self.serviceAccount = serviceAccount
    self.progress = progress
    self.templateLabels = templateLabels
  }

  /// For Events about it, naming the API version kcd reads it through.
  public func objectReference(_ resources: WorkloadResources) -> ObjectReference {
    ObjectReference(kind: ref.kind.rawValue, apiVersion: resources.resource(ref.kind).apiVersion, namespace: ref.namespace, name: ref.name, uid: uid,
                    resourceVersion: resourceVersion)
  }

  /// Current images of the named containers.
  public func images(of names: [String]) -> [String: String] {
    var out: [String: String] = [:]
    for c in containers where names.contains(c.name) { out[c.name] = c.image }
    return out
  }
}

/// The status (and a few spec) fields kubectl's `rollout status` reads, for every kind.
public struct WorkloadProgress: Sendable, Equatable {
  public var observedGeneration: Int64 = 0
  /// `spec.replicas` (1 when unset).
  public var replicas: Int64 = 1
  /// `status.replicas`.
  public var currentReplicas: Int64 = 0
  public var updatedReplicas: Int64 = 0
  public var readyReplicas: Int64 = 0
  public var availableReplicas: Int64 = 0
  /// Message of a `Progressing` condition with reason ProgressDeadlineExceeded.
  public var progressDeadlineExceeded: String?
  /// Message of a `ReplicaFailure=True` condition.
  public var replicaFailure: String?
  /// `spec.updateStrategy.type` (StatefulSet, DaemonSet).
  public var updateStrategy: String?
  public var partition: Int64 = 0
  public var desiredNumberScheduled: Int64 = 0
  public var updatedNumberScheduled: Int64 = 0
  public var numberAvailable: Int64 = 0

  public init() {}
}
