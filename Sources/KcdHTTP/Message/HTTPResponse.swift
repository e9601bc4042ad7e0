import KcdJSON

/// A response: either complete bytes, or a chunked stream produced by a closure that runs on a
/// thread of its own, free to block (watches, long polls).
public struct HTTPResponse: Sendable {
  public var status: Int
  public var headers: HTTPHeaders
  public var body: Body

  public enum Body: Sendable {
    case bytes([UInt8])
    /// Written with `Transfer-Encoding: chunked`; each `ChunkSink.write` is flushed at once.
    case stream(@Sendable (any ChunkSink) throws -> Void)
  }

  public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
    self.status = status
    self.headers = headers
    self.body = .bytes(body)
  }

  public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), stream: @escaping @Sendable (any ChunkSink) throws -> Void) {
    self.status = status
    self.headers = headers
    self.body = .stream(stream)
  }

  public static func json(_ status: Int, _ value: JSON, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
    var h = headers
    h.set("Content-Type", "application/json")
    return HTTPResponse(status: status, headers: h, body: value.serialized())
  }

  public static func text(_ status: Int, _ text: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
    var h = headers
    h.set("Content-Type", "text/plain; charset=utf-8")
    return HTTPResponse(status: status, headers: h, body: Array(text.utf8))
  }

  public var bodyBytes: [UInt8] {
    if case .bytes(let b) = body { return b }
    return []
  }

  public static func reason(_ status: Int) -> String {
    switch status {
    case 100: return "Continue"
    case 200: return "OK"
    case 201: return "Created"
    case 202: return "Accepted"
    case 204: return "No Content"
    case 301: return "Moved Permanently"
    case 302: return "Found"
    case 304: return "Not Modified"
    case 400: return "Bad Request"
    case 401: return "Unauthorized"
    case 403: return "Forbidden"
    case 404: return "Not Found"
    case 405: return "Method Not Allowed"
    case 406: return "Not Acceptable"
    case 408: return "Request Timeout"
    case 409: return "Conflict"
    case 410: return "Gone"
    case 411: return "Length Required"
    case 413: return "Payload Too Large"
    case 415: return "Unsupported Media Type"
    case 422: return "Unprocessable Entity"
    case 429: return "Too Many Requests"
    case 431: return "Request Header Fields Too Large"
    case 500: return "Internal Server Error"
    case 501: return "Not Implemented"
    case 502: return "Bad Gateway"
    case 503: return "Service Unavailable"
    case 504: return "Gateway Timeout"
    case 505: return "HTTP Version Not Supported"
    default: return "Status \(status)"
    }
  }
}

/// Where a streamed response writes its chunks. Writes block until the bytes are handed to the
/// kernel and throw once the peer has gone away or the server is shutting down.
public protocol ChunkSink: Sendable {
  func write(_ bytes: [UInt8]) throws
  /// True once the server is stopping or the peer has hung up; long streams poll it.
  var isClosed: Bool { get }
}

/// How a handler answers: now (on the event loop: must not block), or later (on a worker
/// thread: may block, e.g. on Kubernetes API writes).
public enum HTTPReply: Sendable {
  case now(HTTPResponse)
  case later(@Sendable () -> HTTPResponse)
}

/// How a request is answered. `handle` may block: by default it runs on a worker thread (or on
/// the connection's own thread when serving HTTPS). Handlers that can answer without blocking
/// implement `reply` and answer `.now`, which saves the hop to a worker.
public protocol HTTPHandler: Sendable {
  func handle(_ request: HTTPRequest) -> HTTPResponse
  /// Called first by the event loop. The default runs `handle` on a worker thread.
  func reply(_ request: HTTPRequest) -> HTTPReply
  /// Called with the head (an empty body) before the body is read. The default lets every
  /// request proceed within the listener's body limit.
  func admit(_ head: HTTPRequest) -> HTTPAdmission
}

extension HTTPHandler {
  public func reply(_ request: HTTPRequest) -> HTTPReply { .later { handle(request) } }
  public func admit(_ head: HTTPRequest) -> HTTPAdmission { .proceed(maximumBodyBytes: nil) }
}

/// A handler made from a closure.
public struct HTTPClosureHandler: HTTPHandler {
  let body: @Sendable (HTTPRequest) -> HTTPResponse
  public init(_ body: @escaping @Sendable (HTTPRequest) -> HTTPResponse) { self.body = body }
  public func handle(_ request: HTTPRequest) -> HTTPResponse { body(request) }
}

extension HTTPResponse {
  /// A refusal closes its connection (`Connection: close`): a client that was refused — a bad
  /// request, not authenticated, no such route — keeps no socket for later, so idle sockets
  /// cannot be held by sending one bogus request each.
  var closesConnection: Bool {
    switch status {
    case 400, 401, 403, 404, 405: return true
    default: return false
    }
  }
}
