/// One configured receiver of rollout outcomes (kcd's config file, `notifications:`). Secrets
/// stay in files: the Slack URL (`urlFile`) and the signing key (`keyFile`) are read when a
/// message goes out, so a rotated file takes effect without a restart.
public struct NotificationReceiver: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable {
    /// A Slack incoming webhook.
    case slack
    /// A JSON description of the outcome, signed with Standard Webhooks.
    case webhook
    /// A CDEvent (v0.5.1) in CloudEvents HTTP binary mode.
    case cdevents
  }

  /// Which KCDs' outcomes a receiver gets.
  public enum Scope: String, Sendable, CaseIterable {
    /// Every KCD's.
    case all
    /// Only those of KCDs that name it in `kcd.dev/notify`.
    case named
  }

  /// `kcd.dev/notify: "<name>[,<name>…]"` on a KCD adds these receivers for its outcomes.
  public static let annotation = "kcd.dev/notify"

  public var name: String
  public var kind: Kind
  public var url: String?
  public var urlFile: String?
  /// The Standard Webhooks key (`whsec_…`) of a `webhook` receiver.
  public var keyFile: String?
  /// CloudEvents/CDEvents `source` (default `/kcd/<namespace>/<name>`).
  public var source: String?
  /// CDEvents `environment.id` (default: the KCD's namespace).
  public var environment: String?
  public var events: Set<RolloutResult> = [.success, .failed, .rolledBack]
  public var scope = Scope.all
  /// One attempt's limit.
  public var timeoutSeconds = 5.0
  /// Tries in all (the first and the retries).
  public var attempts = 5
  /// The first retry waits about this long, each next one twice as long (±25 %).
  public var retryBaseSeconds = 8.0

  public init(name: String, kind: Kind) {
    self.name = name
    self.kind = kind
  }

  /// Whether this receiver gets the outcome: the result is one it asked for, and it takes
  /// every KCD or the KCD names it.
  public func wants(_ outcome: RolloutOutcome) -> Bool {
    guard events.contains(outcome.result) else { return false }
    return scope == .all || (outcome.requested ?? []).contains(name)
  }

  /// The names in the annotation's value (comma- or space-separated).
  public static func names(_ value: String) -> [String] {
    value.split { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }.map(String.init)
  }

  /// The names `events:` accepts, and what they mean.
  public static let eventNames: [String: RolloutResult] = ["success": .success, "failed": .failed, "rolledBack": .rolledBack]
}
