/// Everything the rollout machine decides from. Built by the executor from the caches and what
/// earlier steps of the same pass returned; the machine itself does no I/O.
public struct RolloutInput: Sendable {
  public var kcd: KCD
  /// Workloads of the KCD's namespace as the cache has them; nil when the cache cannot answer
  /// (not synced yet): absence is only a fact when the cache is current.
  public var workloads: [Workload]?
  /// Pods of the workloads the machine asked about.
  public var pods: [WorkloadRef: [PodSummary]] = [:]
  /// The registry's answer for the pending request, once it has one.
  public var resolution: Resolution?
  /// What the checks of `status.verification` answered so far, by index.
  public var verifications: [Int: VerifyOutcome] = [:]
  /// Copies (history, config ConfigMaps) written in this pass, by key.
  public var projected: Set<String> = []
  /// Copies the API refused in this pass, by key, with why.
  public var projectionFailures: [String: String] = [:]
  /// Workloads whose patch the API refused for good (RBAC, admission, validation), with why.
  public var refusedPatches: [WorkloadRef: String] = [:]
  /// Services read in this pass (blue-green), by name; each pass reads them afresh.
  public var services: [String: ServiceRead] = [:]
  /// Services whose patch the API refused for good, with why.
  public var refusedServicePatches: [String: String] = [:]
  /// Generations this process saw its patches (or a resumed check) produce for the rollout in
  /// flight, not written to the status yet: they are written with the next status write the
  /// rollout needs anyway (its end, a rollback), saving a write per rollout.
  public var patchedGenerations: [WorkloadRef: Int64] = [:]
  /// A status write carrying this copy's resourceVersion as precondition succeeded in this pass:
  /// only then may a workload be patched (a stale copy can never patch).
  public var fresh = false
  public var now: Double
  public var settings: RolloutSettings

  public init(kcd: KCD, workloads: [Workload]?, now: Double, settings: RolloutSettings = RolloutSettings()) {
    self.kcd = kcd
    self.workloads = workloads
    self.now = now
    self.settings = settings
  }

  func workload(_ ref: WorkloadRef) -> Workload? { workloads?.first { $0.ref == ref } }
}

/// What kcd is configured to do, as far as the machine cares.
public struct RolloutSettings: Sendable, Equatable {
  /// A signed CI callback's digest is deployed without a registry look-up.
  public var trustSignedDigests = true
  /// A registry client is configured (digests can be confirmed and resolved).
  public var canResolve = false
  /// Follow a rollout in flight this often without news (workload changes wake it sooner).
  public var trackInterval = 5.0
  /// Inspect pods for states that never recover once the rollout is this old.
  public var podCheckAfter = 3.0
  /// A verifier is configured (else a KCD with checks waits, saying so).
  public var canVerify = false

  public init(trustSignedDigests: Bool = true, canResolve: Bool = false) {
    self.trustSignedDigests = trustSignedDigests
    self.canResolve = canResolve
  }
}

/// The registry's answer about a request's tag.
public enum Resolution: Sendable, Equatable {
  /// The digest the tag points at, and tags that point at it too (to name the version; empty
  /// when the registry cannot say cheaply).
  case digest(String, versionTags: [String])
  /// Stream mode: the newest version tag the registry has (the request's, or a newer one) and
  /// its digest.
  case newest(tag: String, digest: String)
  /// The event claimed another digest than the registry has: never deployed.
  case mismatch(claimed: String, actual: String)
  /// The registry could not answer now; asked again later.
  case failed(String)
}
