/// Who sent a CI callback authenticated by an OIDC ID token: the issuer and subject (what
/// kcd logs; never the token), the KCDs it may roll out, and the key its single use is
/// remembered under.
public struct OIDCIdentity: Sendable, Equatable {
  public let issuer: String
  public let subject: String
  /// nil: any KCD.
  public let scope: KCDScope?
  /// `oidc-<hex>`: SHA-256 of the issuer and `jti` (or of the whole token when it has no
  /// `jti`); the event's delivery id and the replay memory's key.
  public let replayKey: String
  public let times: TokenTimes
}
