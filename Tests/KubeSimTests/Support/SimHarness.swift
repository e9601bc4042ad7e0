import KcdHTTP
import KcdJSON
import Synchronization

@testable import KubeSim

/// One in-process cluster per test: store, API and a workload simulator whose clock never moves
/// by itself (time scale 0, no thread), so simulated time passes only when a test says so and
/// every run sees the same sequence of controller rounds.
struct SimHarness {
  static let token = "kubesim-test-token"

  let store: ObjectStore
  let api: KubeSimAPI
  let simulator: WorkloadSimulator

  /// `namespaceObjects` is off by default so tests see only the objects they create.
  init(nodes: Int = 3, historyLimit: Int = 10_000, serverMinorVersion: String = "30", namespaceObjects: Bool = false) {
    store = ObjectStore(historyLimit: historyLimit, version: EmulatedVersion(minor: Int(serverMinorVersion) ?? 30))
    api = KubeSimAPI(store: store, token: SimHarness.token, serverMinorVersion: serverMinorVersion)
    var options = WorkloadSimulator.Options()
    options.timeScale = 0
    options.nodes = nodes
    options.namespaceObjects = namespaceObjects
    simulator = WorkloadSimulator(store: store, options: options)
    // The first round resyncs everything; later rounds follow the change history.
    simulator.step()
  }

  // MARK: HTTP, in process

  /// A finished (non-streaming) response with its body parsed once.
  struct Reply {
    let status: Int
    let headers: HTTPHeaders
    let bytes: [UInt8]
    let json: JSON

    init(_ response: HTTPResponse) {
      status = response.status
      headers = response.headers
      bytes = response.bodyBytes
      json = (try? JSON.parse(bytes)) ?? .null
    }

    subscript(key: String) -> JSON { json[key] }
  }

  func request(_ method: String, _ target: String, body: JSON? = nil, contentType: String = "application/json",
               token: String? = SimHarness.token) -> HTTPResponse {
    var headers: HTTPHeaders = ["Host": "kubesim.test", "User-Agent": "kubesim-tests"]
    if let token { headers.add("Authorization", "Bearer \(token)") }
    if body != nil { headers.add("Content-Type", contentType) }
    return api.handle(HTTPRequest(method: method, target: target, headers: headers, body: body?.serialized() ?? []))
  }

  func call(_ method: String, _ target: String, body: JSON? = nil, contentType: String = "application/json",
            token: String? = SimHarness.token) -> Reply {
    Reply(request(method, target, body: body, contentType: contentType, token: token))
  }

  func get(_ target: String) -> Reply { call("GET", target) }
  func post(_ target: String, _ body: JSON) -> Reply { call("POST", target, body: body) }
  func put(_ target: String, _ body: JSON) -> Reply { call("PUT", target, body: body) }
  func delete(_ target: String, _ body: JSON? = nil) -> Reply { call("DELETE", target, body: body) }
  func patch(_ target: String, _ body: JSON, type: String = "application/merge-patch+json") -> Reply {
    call("PATCH", target, body: body, contentType: type)
  }

  // MARK: watches

  /// What a watch stream produced before it ended or the test stopped it.
  struct WatchResult {
    let status: Int
    let contentType: String?
    let events: [JSON]
    /// The safety deadline closed the stream, not the server or the test's condition.
    let forced: Bool
    /// The body of a non-streaming answer (an error refused before the stream started).
    let body: JSON
    var types: [String] { events.map { $0["type"].stringValue ?? "?" } }
  }

  /// Opens a watch without reading it: the start revision is fixed now, so writes made before
  /// `drain` are what the stream reports as live events.
  func openWatch(_ target: String) -> HTTPResponse { request("GET", target) }

  /// Runs the stream on this thread until `enough` holds, the server ends it, or the deadline.
  func drain(_ response: HTTPResponse, deadlineSeconds: Double = 10,
             until enough: @escaping @Sendable ([JSON]) -> Bool = { _ in false }) -> WatchResult {
    guard case .stream(let produce) = response.body else {
      return WatchResult(status: response.status, contentType: response.headers["Content-Type"], events: [], forced: false,
                         body: (try? JSON.parse(response.bodyBytes)) ?? .null)
    }
    let sink = EventCollector(deadline: monotonicSeconds() + deadlineSeconds, enough: enough)
    try? produce(sink)
    return WatchResult(status: response.status, contentType: response.headers["Content-Type"], events: sink.events,
                       forced: sink.forced, body: .null)
  }

  func watch(_ target: String, deadlineSeconds: Double = 10, until enough: @escaping @Sendable ([JSON]) -> Bool = { _ in false }) -> WatchResult {
    drain(openWatch(target), deadlineSeconds: deadlineSeconds, until: enough)
  }

  // MARK: simulated time

  /// Advances simulated time in steps until `done` holds; false when `limit` seconds pass first.
  /// `each` runs after every step, for invariants that must hold throughout a rollout.
  @discardableResult
  func advance(until done: () -> Bool, step: Double = 0.5, limit: Double = 300, each: () -> Void = {}) -> Bool {
    var elapsed = 0.0
    while !done() {
      if elapsed >= limit { return false }
      simulator.advance(seconds: step)
      elapsed += step
      each()
    }
    return true
  }

  // MARK: store shortcuts

  func object(_ type: ResourceType, _ name: String, namespace: String = "default") -> JSON? {
    store.get(type, namespace: namespace, name: name)
  }

  func objects(_ type: ResourceType, namespace: String? = "default") -> [JSON] {
    store.list(type, namespace: namespace).items
  }

  /// Objects whose ownerReferences name `owner` (by uid).
  func owned(_ type: ResourceType, by owner: JSON, namespace: String = "default") -> [JSON] {
    let uid = owner["metadata"]["uid"]
    return objects(type, namespace: namespace).filter { o in
      (o["metadata"]["ownerReferences"].arrayValue ?? []).contains { $0["uid"] == uid }
    }
  }
}

/// Collects newline-delimited watch events from any chunking and reports "closed" once the test
/// has what it needs, or once a safety deadline passes (recorded, so the test can fail on it).
final class EventCollector: ChunkSink {
  struct State {
    var pending: [UInt8] = []
    var events: [JSON] = []
    var forced = false
  }

  let state = Mutex(State())
  let deadline: Double
  let enough: @Sendable ([JSON]) -> Bool

  init(deadline: Double, enough: @escaping @Sendable ([JSON]) -> Bool) {
    self.deadline = deadline
    self.enough = enough
  }

  func write(_ bytes: [UInt8]) throws {
    state.withLock { s in
      s.pending.append(contentsOf: bytes)
      while let newline = s.pending.firstIndex(of: 0x0A) {
        let line = Array(s.pending[..<newline])
        s.pending.removeFirst(newline + 1)
        s.events.append((try? JSON.parse(line)) ?? ["unparsable": .string(String(decoding: line, as: UTF8.self))])
      }
    }
  }

  var isClosed: Bool {
    state.withLock { s in
      if enough(s.events) { return true }
      if monotonicSeconds() > deadline { s.forced = true; return true }
      return false
    }
  }

  var events: [JSON] { state.withLock { $0.events } }
  var forced: Bool { state.withLock { $0.forced } }
}

/// The status conditions of an object by type.
func condition(_ object: JSON?, _ type: String) -> JSON {
  object?["status"]["conditions"].arrayValue?.first { $0["type"] == .string(type) } ?? .null
}
