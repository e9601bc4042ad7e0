import KcdCore
import KcdJSON

/// RS256 JSON Web Tokens (RFC 7519), as Google signs the OIDC tokens of Pub/Sub push requests:
/// decode, pick the key by `kid`, verify, then check the claims a receiver must check.
public enum JWT {
  /// A decoded but not yet verified token.
  public struct Token: Sendable {
    public let header: JSON
    public let claims: JSON
    /// `header_b64 "." payload_b64`, the bytes the signature covers.
    public let signingInput: [UInt8]
    public let signature: [UInt8]
    public var algorithm: String? { header["alg"].stringValue }
    public var keyID: String? { header["kid"].stringValue }
  }

  /// Longer tokens are refused before any decoding (Google's are about 1 KB).
  public static let maximumLength = 16 * 1024

  /// Splits and decodes a compact JWS; checks only its shape.
  public static func decode(_ compact: String) throws(CryptoError) -> Token {
    guard compact.utf8.count <= maximumLength else { throw CryptoError("the token is too long") }
    let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3 else { throw CryptoError("the token does not have three parts") }
    guard let headerBytes = base64URL(parts[0]), let claimBytes = base64URL(parts[1]), let signature = base64URL(parts[2]) else {
      throw CryptoError("the token is not base64url")
    }
    guard let header = try? JSON.parse(headerBytes), header.objectValue != nil,
          let claims = try? JSON.parse(claimBytes), claims.objectValue != nil else {
      throw CryptoError("the token's header or claims are not JSON objects")
    }
    return Token(header: header, claims: claims, signingInput: Array("\(parts[0]).\(parts[1])".utf8), signature: signature)
  }

  /// Unpadded base64url only (RFC 7515 §2): a `+`, `/` or `=` is a different encoding.
  static func base64URL(_ text: Substring) -> [UInt8]? {
    guard !text.isEmpty, text.utf8.allSatisfy({ c in
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 95
    }) else { return nil }
    return Base64.decode(String(text))
  }

  /// What the claims must say.
  public struct Expectations: Sendable {
    /// Accepted `iss` values.
    public var issuers: Set<String>
    /// Accepted audiences; `aud` (a string or a list) must contain one of them.
    public var audiences: [String]
    /// Accepted `email` values; empty means `email` is not checked.
    public var emails: [String]
    /// Whether `email_verified` must be true (Google: it is for service accounts).
    public var requireVerifiedEmail: Bool
    /// Tolerated clock difference for `exp`, `iat` and `nbf`.
    public var clockSkew: Double

    public init(issuers: Set<String>, audiences: [String], emails: [String] = [], requireVerifiedEmail: Bool = true, clockSkew: Double = 60) {
      self.issuers = issuers
      self.audiences = audiences
      self.emails = emails
      self.requireVerifiedEmail = requireVerifiedEmail
      self.clockSkew = clockSkew
    }

    /// Google-signed tokens (Pub/Sub push): both spellings of Google's issuer.
    public static func google(audiences: [String], emails: [String]) -> Expectations {
      Expectations(issuers: ["https://accounts.google.com", "accounts.google.com"], audiences: audiences, emails: emails)
    }
  }

  /// Verifies an RS256 token against `keys` and `expect`; returns its claims.
  public static func verify(_ compact: String, keys: KeySet, expect: Expectations, now: Double) throws(CryptoError) -> JSON {
    let token = try decode(compact)
    guard token.algorithm == "RS256" else { throw CryptoError("the token is not RS256") }
    guard token.header["crit"].isNull else { throw CryptoError("the token has critical header parameters") }
    let candidates = try keys.verifiers(for: token.keyID)
    guard candidates.contains(where: { $0.verify(token.signature, message: token.signingInput, hash: .sha256) }) else {
      throw CryptoError("the token signature does not verify")
    }
    try check(token.claims, expect: expect, now: now)
    return token.claims
  }

  /// The claim checks alone (for tokens whose signature was verified elsewhere).
  public static func check(_ claims: JSON, expect: Expectations, now: Double) throws(CryptoError) {
    guard let iss = claims["iss"].stringValue, expect.issuers.contains(iss) else { throw CryptoError("the token's issuer is not accepted") }
    let audiences = claims["aud"].arrayValue?.compactMap(\.stringValue) ?? claims["aud"].stringValue.map { [$0] } ?? []
    guard audiences.contains(where: { expect.audiences.contains($0) }) else { throw CryptoError("the token's audience is not accepted") }
    guard let exp = claims["exp"].doubleValue else { throw CryptoError("the token has no exp") }
    guard now <= exp + expect.clockSkew else { throw CryptoError("the token has expired") }
    if !claims["iat"].isNull {
      guard let iat = claims["iat"].doubleValue, iat <= now + expect.clockSkew else { throw CryptoError("the token is issued in the future") }
    }
    if !claims["nbf"].isNull {
      guard let nbf = claims["nbf"].doubleValue, nbf <= now + expect.clockSkew else { throw CryptoError("the token is not valid yet") }
    }
    if !expect.emails.isEmpty {
      guard let email = claims["email"].stringValue, expect.emails.contains(email) else { throw CryptoError("the token's email is not accepted") }
    }
    if expect.requireVerifiedEmail {
      let verified = claims["email_verified"].boolValue ?? (claims["email_verified"].stringValue == "true")
      guard verified else { throw CryptoError("the token's email is not verified") }
    }
  }
}
