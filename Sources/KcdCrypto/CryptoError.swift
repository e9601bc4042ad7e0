import COpenSSL

/// Why a key, certificate or token was refused. `message` names the check that failed and never
/// carries key material or the data that was verified.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }

  /// Builds an error from OpenSSL's queue (the reason of its last entry) and empties the queue,
  /// which is thread-local: a stale entry would be blamed on the next unrelated call.
  static func openSSL(_ context: String) -> CryptoError {
    let code = ERR_peek_last_error()
    ERR_clear_error()
    guard code != 0, let reason = ERR_reason_error_string(code) else { return CryptoError(context) }
    return CryptoError("\(context): \(String(cString: reason))")
  }
}
