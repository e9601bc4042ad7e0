import KcdCore
import KcdHTTP
import KcdJSON
import Synchronization

/// What a fake registry saw: one entry per request, with the monotonic time it arrived.
struct SeenRequest: Sendable {
  let method: String
  let path: String
  let authorization: String?
  let accept: String?
  let at: Double
  let query: [String: [String]]
}

/// A small registry stand-in on `HTTPServer` (loopback, port 0) for behaviour Debian's
/// registry cannot be made to show: token auth, 429s, missing headers, Link pagination.
/// The handler gets the request and the server's own base URL (for realms and links).
final class FakeRegistry: Sendable {
  let server: HTTPServer
  let recorder: Recorder

  init(_ handler: @escaping @Sendable (HTTPRequest, _ baseURL: String) -> HTTPResponse) throws {
    let port = Atomic<Int>(0)
    let recorder = Recorder()
    var configuration = HTTPServerConfiguration(address: "127.0.0.1:0")
    configuration.maximumBodyBytes = 4 << 20
    server = try HTTPServer(configuration: configuration, handler: HTTPClosureHandler { request in
      var query: [String: [String]] = [:]
      for (name, value) in request.query { query[name, default: []].append(value) }
      recorder.append(SeenRequest(method: request.method, path: request.path, authorization: request.headers["Authorization"],
                                  accept: request.headers["Accept"], at: monotonicSeconds(), query: query))
      return handler(request, "http://127.0.0.1:\(port.load(ordering: .relaxed))")
    })
    port.store(server.port, ordering: .relaxed)
    self.recorder = recorder
  }

  var host: String { "127.0.0.1:\(server.port)" }
  var requests: [SeenRequest] { recorder.all }

  func stop() { server.shutdown(grace: 1) }

  final class Recorder: Sendable {
    let entries = Mutex<[SeenRequest]>([])
    func append(_ r: SeenRequest) { entries.withLock { $0.append(r) } }
    var all: [SeenRequest] { entries.withLock { $0 } }
  }
}

/// Responses a distribution registry would send. The server drops the body of a HEAD answer
/// and keeps its Content-Length, as a registry does.
enum RegistryResponses {
  static func manifest(_ bytes: [UInt8], mediaType: String, digest: String?) -> HTTPResponse {
    var headers = HTTPHeaders()
    headers.set("Content-Type", mediaType)
    if let digest { headers.set("Docker-Content-Digest", digest) }
    return HTTPResponse(status: 200, headers: headers, body: bytes)
  }

  static func error(_ status: Int, _ code: String, _ message: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
    .json(status, ["errors": [["code": .string(code), "message": .string(message)]]], headers: headers)
  }
}

/// Thread-safe counters and settings a fake's handler reads and a test changes.
final class Shared<Value: Sendable>: Sendable {
  let value: Mutex<Value>
  init(_ value: Value) { self.value = Mutex(value) }
  func with<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
  var current: Value { value.withLock { $0 } }
}
