/// Why an outgoing request failed before an HTTP status came back. `label` is short and
/// bounded, safe as a metric label; `message` says what failed (never credentials).
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
  enum Code: String, Sendable {
    case invalidRequest = "invalid_request"
    case connect = "connect"
    case timeout = "timeout"
    case tls = "tls"
    case aborted = "aborted"
    case tooLarge = "too_large"
    case transport = "transport"
  }

  let code: Code
  public let message: String

  init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var label: String { code.rawValue }
  public var isTimeout: Bool { code == .timeout }
  public var isConnectFailure: Bool { code == .connect }
  public var isTLSFailure: Bool { code == .tls }
  /// The caller stopped the transfer (a watch being cancelled).
  public var isAborted: Bool { code == .aborted }
  /// The response was larger than the request's `maximumBodyBytes`.
  public var isTooLarge: Bool { code == .tooLarge }
  public var description: String { message }
}
