import KcdKube

/// One thing the executor does for the machine.
public enum RolloutAction: Sendable, Equatable {
  /// Merge-patch the status to this value, with the KCD's resourceVersion as precondition.
  case writeStatus(KCDStatus, priority: RequestPriority)
  /// Strategic-merge-patch the containers' images of a workload.
  case patch(WorkloadPatch)
  /// Ask the registry (off the reconcile workers); the KCD is looked at again when it answers.
  /// `confirm`: check the tag's digest (else only name the version of a known digest).
  case resolve(RequestedRollout, confirm: Bool)
  /// Run one check of the verification in `status.verification` (off the reconcile workers);
  /// the KCD is looked at again when it answers.
  case verify(VerifyStep, index: Int, candidate: VerificationCandidate)
  /// Merge these finished rollouts into the history ConfigMap (newest first, at most `limit`);
  /// `key` is reported back in `RolloutInput.projected` once written.
  case syncHistory(configMap: String, records: [RolloutRecord], limit: Int, key: String)
  /// Write the deployed version to the `config` ConfigMap (created when absent).
  case writeConfig(ConfigTarget, version: String, key: String)
  /// Read a Service of the KCD's namespace (a GET: a blue-green switch is decided on what the
  /// API server has now, not on a cache); the machine runs again with it.
  case readService(String)
  /// Merge-patch a Service's selector (blue-green), with the read copy's resourceVersion as
  /// precondition. Like `patch`, only after a precondition-carrying status write of the pass.
  case patchService(ServicePatch)
  /// Set a Deployment's `spec.replicas` (blue-green). Like `patch`, only from a fresh copy.
  case scale(WorkloadScale)
  /// List the pods of a workload; the machine runs again with them.
  case inspectPods(WorkloadRef, labels: [String: String])
  /// Keep in memory the generation a workload of the rollout in flight runs (written later).
  case rememberGeneration(WorkloadRef, Int64)
  /// Record a Kubernetes Event.
  case event(EventNote)
  /// A rollout ended (metrics).
  /// `seconds` since the rollout started; `sinceEvent` since the webhook that caused it arrived.
  case finished(RolloutResult, seconds: Double, sinceEvent: Double)
  /// An event's claimed digest was contradicted by the registry (metrics).
  case digestMismatch(source: String)
  /// Tell the configured receivers how a rollout ended (after the write that records it).
  case notify(RolloutOutcome)
}

public struct WorkloadPatch: Sendable, Equatable {
  public enum Purpose: Sendable, Equatable { case rollout, rollback }

  public var ref: WorkloadRef
  public var images: [ContainerImage]
  public var changeCause: String
  public var purpose: Purpose
  /// When the event behind it arrived (event → patch is measured for rollouts).
  public var receivedAt: Double
  /// The Event recorded on the workload once the patch is accepted.
  public var note: String
  /// That Event's reason when not the default (ImagePatched, RolledBack); it is then recorded
  /// on the KCD too (blue-green steps).
  public var reason: String? = nil
}

public struct ContainerImage: Sendable, Equatable {
  public var container: String
  public var image: String

  public init(_ container: String, _ image: String) {
    self.container = container
    self.image = image
  }
}

/// An Event about the KCD (`on` nil) or one of its workloads.
public struct EventNote: Sendable, Equatable {
  public enum Kind: String, Sendable { case normal = "Normal", warning = "Warning" }

  public var on: WorkloadRef?
  public var kind: Kind
  public var reason: String
  public var message: String

  public init(on: WorkloadRef? = nil, _ kind: Kind, _ reason: String, _ message: String) {
    self.on = on
    self.kind = kind
    self.reason = reason
    self.message = message
  }
}

/// What the machine wants now, and what to do after.
public struct RolloutDecision: Sendable, Equatable {
  public enum Next: Sendable, Equatable {
    /// Run the machine again with what these actions returned.
    case again
    /// Look at the KCD again after this many seconds (or sooner, on news).
    case requeue(after: Double)
    /// Nothing to do until something changes.
    case idle
  }

  public var actions: [RolloutAction]
  public var next: Next

  public init(_ actions: [RolloutAction], _ next: Next) {
    self.actions = actions
    self.next = next
  }
}
