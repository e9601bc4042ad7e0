/// Everything the `Notifier` is configured with: the receivers and the dashboard's address
/// (linked from messages).
public struct NotificationSettings: Sendable, Equatable {
  public var receivers: [NotificationReceiver] = []
  /// The dashboard as users reach it, e.g. `https://kcd.example/`; messages link to it with
  /// `namespace=<the KCD's>` added.
  public var dashboardURL: String?
  /// Outcomes waiting per receiver; when full the oldest is dropped (and counted).
  public var queueLimit = 1000

  public init(receivers: [NotificationReceiver] = [], dashboardURL: String? = nil) {
    self.receivers = receivers
    self.dashboardURL = dashboardURL
  }

  /// The dashboard link for a namespace, or nil without a dashboard URL.
  public func dashboardLink(namespace: String) -> String? { NotificationSettings.dashboardLink(dashboardURL, namespace: namespace) }

  static func dashboardLink(_ base: String?, namespace: String) -> String? {
    guard let base, !base.isEmpty else { return nil }
    let separator = base.contains("?") ? (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&") : "?"
    return base + separator + "namespace=" + PercentEncoding.query(namespace)
  }
}
