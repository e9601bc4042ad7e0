/// `status.rollout`: one rollout as kcd persists it, so any replica can resume it after a
/// restart or a leader change. Written before any workload is touched.
public struct ActiveRollout: Sendable, Equatable {
  /// The delivery id of the event it rolls out.
  public var id: String
  public var trigger: String
  /// The pinned reference written: `<imageRepo>:<version>@<digest>`.
  public var image: String
  public var digest: String
  public var version: String
  public var startedAt: Double
  /// When the webhook arrived (event → patch is measured from here).
  public var receivedAt: Double
  public var workloads: [RolloutTarget]
  /// Set before the first rollback patch, so a new leader finishes it.
  public var rollback: RollbackIntent?
  public var finishedAt: Double?
  public var result: RolloutResult?
  /// Status writes that claimed the right to patch (a resumed pass writes one before it
  /// patches, so a stale copy can never patch).
  public var claims: Int = 0
  /// The canaries ran and passed their checks: the other workloads may be patched.
  public var canaryPassed = false
  /// The spec's deadline and rollback switch when the rollout started, so a rollout whose KCD
  /// turns invalid mid-way still ends (nil in a status written by an older kcd).
  public var policy: RolloutPolicy?
  /// A ServiceBlueGreen rollout's plan and step (nil for RollingUpdate).
  public var blueGreen: BlueGreenPlan?

  public init(id: String, trigger: String, image: String, digest: String, version: String, startedAt: Double, receivedAt: Double,
              workloads: [RolloutTarget]) {
    self.id = id
    self.trigger = trigger
    self.image = image
    self.digest = digest
    self.version = version
    self.startedAt = startedAt
    self.receivedAt = receivedAt
    self.workloads = workloads
  }

  public var isFinished: Bool { result != nil && result != .progressing }

  /// The live spec's policy when the spec is valid (a user may lengthen the deadline or turn
  /// rollback off mid-way), else the one frozen at the start, else the defaults.
  public func policy(_ spec: KCDSpec?) -> RolloutPolicy {
    spec.map(RolloutPolicy.init(spec:)) ?? policy ?? RolloutPolicy()
  }
}

/// What decides how a rollout in flight ends: its deadline and whether a failure rolls back.
public struct RolloutPolicy: Sendable, Equatable {
  public var timeoutSeconds: Int
  public var rollbackEnabled: Bool

  public init(timeoutSeconds: Int = KCDSpec.defaultTimeoutSeconds, rollbackEnabled: Bool = true) {
    self.timeoutSeconds = timeoutSeconds
    self.rollbackEnabled = rollbackEnabled
  }

  public init(spec: KCDSpec) { self.init(timeoutSeconds: spec.timeoutSeconds, rollbackEnabled: spec.rollbackEnabled) }

  var timeout: Double { Double(timeoutSeconds) }
}

/// One workload of a rollout: which containers take the image, what they ran before (the
/// rollback target), and the generation the patch produced (nil until patched).
public struct RolloutTarget: Sendable, Equatable {
  public var kind: WorkloadKind
  public var name: String
  public var containers: [String]
  public var previous: [String: String]
  public var generation: Int64?
  /// A canary (`strategy.canary.selector`): rolled out, and verified, before the others.
  public var canary = false

  public init(kind: WorkloadKind, name: String, containers: [String], previous: [String: String], generation: Int64? = nil, canary: Bool = false) {
    self.kind = kind
    self.name = name
    self.containers = containers
    self.previous = previous
    self.generation = generation
    self.canary = canary
  }
}

public struct RollbackIntent: Sendable, Equatable {
  public var reason: String
  public var message: String
  public var startedAt: Double

  public init(reason: String, message: String, startedAt: Double) {
    self.reason = reason
    self.message = message
    self.startedAt = startedAt
  }
}
