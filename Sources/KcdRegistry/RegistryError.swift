/// Why a registry operation failed. `label` is short and bounded (a metric label); `message`
/// says what failed in words an operator can act on and never carries a credential or token.
public struct RegistryError: Error, Sendable, CustomStringConvertible {
  enum Code: String, Sendable {
    case invalidReference = "invalid_reference"
    case invalidCredentials = "invalid_credentials"
    case unauthorized
    case denied
    case notFound = "not_found"
    case rateLimited = "rate_limited"
    case unavailable
    case transport
    case badResponse = "bad_response"
    case digestMismatch = "digest_mismatch"
    case tooLarge = "too_large"
    case unsupported
  }

  let code: Code
  public let message: String
  /// The HTTP status that caused the error, when a response came back.
  public let status: Int?
  /// Seconds the registry asked us to wait (`Retry-After`), for callers that reschedule.
  public let retryAfter: Double?

  init(_ code: Code, _ message: String, status: Int? = nil, retryAfter: Double? = nil) {
    self.code = code
    self.message = message
    self.status = status
    self.retryAfter = retryAfter
  }

  public var label: String { code.rawValue }
  public var description: String { message }

  /// The tag, manifest or repository does not exist.
  public var isNotFound: Bool { code == .notFound }
  /// Authentication was required and missing or refused.
  public var isUnauthorized: Bool { code == .unauthorized }
  /// Authenticated but not allowed (403).
  public var isDenied: Bool { code == .denied }
  /// The registry throttled us (429) and retrying within our bounds did not help.
  public var isRateLimited: Bool { code == .rateLimited }
  /// The operation is not part of this registry's API (deleting a tag).
  public var isUnsupported: Bool { code == .unsupported }
  /// The registry sent more than the caller's limit for this document or blob.
  public var isTooLarge: Bool { code == .tooLarge }
  /// Worth retrying later: throttling, 5xx, connection problems.
  public var isTemporary: Bool { code == .rateLimited || code == .unavailable || code == .transport }
}
