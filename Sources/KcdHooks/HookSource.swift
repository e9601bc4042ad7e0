/// What a webhook source looks at: the raw request, before anything is parsed.
public struct HookRequest: Sendable {
  public var method: String
  /// Path segments after `/hooks/<source>` (the secret token of Docker Hub and Quay hooks).
  public var pathRest: [String]
  /// Header lookup, case-insensitive.
  public var header: @Sendable (String) -> String?
  /// The body exactly as received (signatures are over these bytes).
  public var body: [UInt8]
  /// Wall-clock seconds at receipt.
  public var now: Double

  public init(method: String = "POST", pathRest: [String] = [], header: @escaping @Sendable (String) -> String?, body: [UInt8], now: Double) {
    self.method = method
    self.pathRest = pathRest
    self.header = header
    self.body = body
    self.now = now
  }
}

/// What a source concluded.
public enum HookOutcome: Sendable, Equatable {
  /// Authentic events to record (pushes; deletes and pulls are answered 200 and ignored).
  case events([ImageEvent])
  /// Authentic, answered without recording anything (a ping, an SNS subscription confirmed).
  case reply(status: Int, message: String)
}

/// One webhook sender (`/hooks/<name>`): authenticates first, then parses; never records.
/// Rejections carry the HTTP status (400 malformed, 401 not authentic, …).
public protocol HookSource: Sendable {
  var name: String { get }
  func handle(_ request: HookRequest) throws(HookRejection) -> HookOutcome
}

/// `POST /hooks/ci` as a HookSource.
extension CICallback: HookSource {
  public var name: String { "ci" }

  public func handle(_ request: HookRequest) throws(HookRejection) -> HookOutcome {
    guard request.pathRest.isEmpty else { throw HookRejection(404, "no such hook") }
    return .events([try event(headers: request.header, body: request.body, now: request.now)])
  }
}
