import KcdHooks

/// Builds a hook source from the lines of its secret file. Sources needing outside help (SNS
/// certificate fetches, OIDC keys) get it injected here, in one place.
public struct HookSourceFactory: Sendable {
  public init() {}

  /// nil when kcd has no such source; throws when the secret file cannot configure it.
  public func make(_ name: String, _ secrets: [String]) throws(HookRejection) -> (any HookSource)? {
    switch name {
    case "ci":
      // A malformed line (a rotation typo) must not take down the keys that still work.
      let keys = secrets.compactMap { try? StandardWebhooks.Key(secret: $0) }
      guard !keys.isEmpty else { throw HookRejection(500, "the ci secret file holds no usable key") }
      return CICallback(keys: keys)
    default:
      return nil
    }
  }
}
