import KcdJSON

/// The time claims of an ID token and their checks: `exp` is required, `nbf` and `iat` are
/// checked when present, each with a small tolerance for clock differences. A token meant to
/// live longer than `maximumLifetime` is refused (CI tokens live minutes; a day-long one could
/// not be remembered for replay within bounded memory).
public struct TokenTimes: Sendable, Equatable {
  public let expiresAt: Double
  public let notBefore: Double?
  public let issuedAt: Double?

  public static let skew: Double = 60
  public static let maximumLifetime: Double = 24 * 3600

  public init(expiresAt: Double, notBefore: Double? = nil, issuedAt: Double? = nil) {
    self.expiresAt = expiresAt
    self.notBefore = notBefore
    self.issuedAt = issuedAt
  }

  /// Reads `exp`, `nbf`, `iat` (numbers of seconds); a present but non-numeric one is refused.
  public init(claims: JSON) throws(HookRejection) {
    guard let exp = claims["exp"].doubleValue else { throw .unauthorized("the token has no numeric exp") }
    for name in ["nbf", "iat"] where !claims[name].isNull && claims[name].doubleValue == nil {
      throw .unauthorized("the token's \(name) is not a number")
    }
    self.init(expiresAt: exp, notBefore: claims["nbf"].doubleValue, issuedAt: claims["iat"].doubleValue)
  }

  /// Throws 401 unless the token is valid at `now`.
  public func check(now: Double, skew: Double = TokenTimes.skew) throws(HookRejection) {
    guard now <= expiresAt + skew else { throw .unauthorized("the token has expired") }
    if let nbf = notBefore, nbf > now + skew { throw .unauthorized("the token is not valid yet (nbf)") }
    if let iat = issuedAt, iat > now + skew { throw .unauthorized("the token is issued in the future (iat)") }
    guard expiresAt - now <= TokenTimes.maximumLifetime else { throw .unauthorized("the token lives longer than kcd accepts") }
  }
}
