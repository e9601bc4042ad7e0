import KcdCore

/// How one API call is budgeted: its priority, and a monotonic deadline past which kcd would
/// rather answer "retry later" than keep a caller (a webhook sender) waiting.
public struct KubeCallOptions: Sendable {
  public var priority: RequestPriority
  /// `monotonicSeconds()` value; nil = no deadline.
  public var deadline: Double?
  /// Sleep and retry on 429/5xx with Retry-After (client-go's rule). Callers with a queue of
  /// their own (the reconcile workers) say false and requeue instead of holding a thread.
  public var waitsOnRetryAfter: Bool

  public init(priority: RequestPriority = .normal, deadline: Double? = nil, waitsOnRetryAfter: Bool = true) {
    self.priority = priority
    self.deadline = deadline
    self.waitsOnRetryAfter = waitsOnRetryAfter
  }

  public static let normal = KubeCallOptions()
  public static let critical = KubeCallOptions(priority: .critical)
  public static let background = KubeCallOptions(priority: .background)

  /// Critical, and done within `seconds` from now.
  public static func critical(within seconds: Double) -> KubeCallOptions {
    KubeCallOptions(priority: .critical, deadline: monotonicSeconds() + seconds)
  }

  /// These options, but failing at once on Retry-After instead of sleeping.
  public var withoutWaiting: KubeCallOptions {
    var o = self
    o.waitsOnRetryAfter = false
    return o
  }

  /// Whether sleeping `seconds` still ends before the deadline.
  func allows(wait seconds: Double) -> Bool {
    guard let deadline else { return true }
    return monotonicSeconds() + seconds < deadline
  }
}
