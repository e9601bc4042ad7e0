/// What a registry or CI told kcd, normalised across sources: "repository R now has tag T
/// (at digest D)". A claim until the controller confirms it.
public struct ImageEvent: Sendable, Equatable {
  public enum Action: String, Sendable { case push, delete, pull }

  /// Registry host plus path, normalised (see `RepositoryName`).
  public var repository: String
  public var tag: String?
  public var digest: String?
  /// The version name CI chose (a SHA-like tag), when it said.
  public var version: String?
  public var action: Action
  /// `ci`, `ecr`, `distribution`, …
  public var source: String
  /// The sender's idempotency key (webhook-id, event id, …).
  public var deliveryID: String
  /// Wall-clock seconds when kcd received it.
  public var receivedAt: Double
  /// A KCD the sender named (`namespace/name`), narrowing the match.
  public var target: String?
  /// When the sender signed it (a CI callback's `webhook-timestamp`): a callback signed before
  /// the one already applied is older news, not deployed unless it says it moves back.
  public var signedAt: Double?
  /// The sender means to move the KCD back to an earlier build (a CI callback's `"rollback": true`).
  public var movesBack = false
  /// The KCDs the sender may reach (a CI callback from an OIDC identity limited by kcd's
  /// configuration); nil: any KCD that follows the event.
  public var scope: KCDScope?

  /// Delivery ids longer than this are refused (they are remembered on the KCD).
  public static let maximumDeliveryIDLength = 256

  public init(repository: String, tag: String?, digest: String?, version: String? = nil, action: Action = .push, source: String,
              deliveryID: String, receivedAt: Double, target: String? = nil) {
    self.repository = repository
    self.tag = tag
    self.digest = digest
    self.version = version
    self.action = action
    self.source = source
    self.deliveryID = deliveryID
    self.receivedAt = receivedAt
    self.target = target
  }
}

/// A request a hook source refuses; `status` is the HTTP answer (400 malformed, 401 not
/// authentic, 404 disabled, 413, …) and `message` is safe to return and log (no secrets, no body).
public struct HookRejection: Error, Sendable, Equatable, CustomStringConvertible {
  public let status: Int
  public let message: String
  public init(_ status: Int, _ message: String) { self.status = status; self.message = message }
  public var description: String { "\(status) \(message)" }

  public static func malformed(_ m: String) -> HookRejection { HookRejection(400, m) }
  public static func unauthorized(_ m: String) -> HookRejection { HookRejection(401, m) }
}
