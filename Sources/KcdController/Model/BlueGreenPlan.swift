/// `status.rollout.blueGreen`: a ServiceBlueGreen rollout's plan, written with the status that
/// starts the rollout (before anything is touched), and the step it has reached, so any kcd —
/// after a restart or a leader change — continues it and never switches the Service twice.
/// The idle side's previous images are the rollout's target (`status.rollout.workloads[0]`).
public struct BlueGreenPlan: Sendable, Equatable {
  /// Deploying: the idle side is being patched, shown by the verification Service, scaled up
  /// and waited for; the live Service is untouched. Switching: the idle side was available and
  /// kcd switches the live Service to it (written before the Service is patched; a read of the
  /// Service says whether the patch landed). Switched: a read of the live Service showed it
  /// selecting the new side. SwitchingBack: rolling back after the switch, the old side is up
  /// again and kcd points the Service back at it (written before that patch).
  public enum Step: String, Sendable {
    case deploying = "Deploying", switching = "Switching", switched = "Switched", switchingBack = "SwitchingBack"
  }

  /// One of the two Deployments.
  public struct Side: Sendable, Equatable {
    public var name: String
    /// Its pod-template values of `labelNames` (for the live side: the live Service's selector
    /// values when the rollout started).
    public var labels: [String: String]
    /// `spec.replicas` when the rollout started.
    public var replicas: Int64

    public init(name: String, labels: [String: String], replicas: Int64) {
      self.name = name
      self.labels = labels
      self.replicas = replicas
    }
  }

  public var service: String
  public var verificationService: String?
  public var labelNames: [String]
  public var scaleDown: Bool
  /// The side the live Service selected when the rollout started.
  public var live: Side
  /// The side kcd deploys to and switches to.
  public var idle: Side
  /// Replicas the idle side runs before the switch: the live side's, never fewer than it had,
  /// at least one.
  public var replicas: Int64
  public var step: Step
  public var switchedAt: Double?

  public init(service: String, verificationService: String?, labelNames: [String], scaleDown: Bool, live: Side, idle: Side, step: Step = .deploying) {
    self.service = service
    self.verificationService = verificationService
    self.labelNames = labelNames
    self.scaleDown = scaleDown
    self.live = live
    self.idle = idle
    self.replicas = max(idle.replicas, live.replicas, 1)
    self.step = step
  }

  /// `color=green` for messages.
  static func text(_ labels: [String: String]) -> String { labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",") }
}
