import KcdCore
import KcdHTTP
import KcdJSON
import Synchronization

/// A loopback stand-in for the webhook APIs of Harbor (v2.0 policies), Quay (notifications),
/// GitHub (org and repo hooks) and GitLab (project CI/CD variables): keeps what was created,
/// answers as the real APIs do for the calls `kcd hooks register` makes, checks each API's
/// credential, and records every request.
final class ForgeFake: Sendable {
  struct Recorded: Sendable {
    let request: HTTPRequest
    /// The body parsed, `.null` when empty.
    let body: JSON
  }

  struct State: Sendable {
    var requests: [Recorded] = []
    var harbor: [JSON] = []
    var quay: [JSON] = []
    var github: [String: [JSON]] = [:]
    var gitlab: [String: JSON] = [:]
    var nextID = 1
  }

  static let harborAuth = "Basic " + Base64.encode(Array("robot$library+kcd:harbor-robot-password-123".utf8))
  static let quayToken = "quay-oauth-token-456"
  static let githubToken = "ghp_github-token-789"
  static let gitlabToken = "glpat-gitlab-token-012"

  /// The state, shared with the server's handler.
  final class Store: Sendable {
    let mutex = Mutex(State())
    func withLock<R: Sendable>(_ body: (inout State) -> R) -> R { mutex.withLock { body(&$0) } }
  }

  let state = Store()
  let server: HTTPServer

  init() throws {
    let state = self.state
    server = try HTTPServer(configuration: HTTPServerConfiguration(address: "127.0.0.1:0"), handler: HTTPClosureHandler { request in
      state.withLock { s in
        let body = (try? JSON.parse(request.body)) ?? .null
        s.requests.append(Recorded(request: request, body: body))
        return ForgeFake.answer(request, body, &s)
      }
    })
  }

  deinit { server.shutdown(grace: 1) }

  var url: String { "http://127.0.0.1:\(server.port)" }
  var requests: [Recorded] { state.withLock { $0.requests } }
  func clearRequests() { state.withLock { $0.requests = [] } }
  /// `METHOD /path` of each request, query dropped.
  var calls: [String] { requests.map { "\($0.request.method) \($0.request.target.prefix { $0 != "?" })" } }

  static func answer(_ request: HTTPRequest, _ body: JSON, _ s: inout State) -> HTTPResponse {
    let path = String(request.target.prefix { $0 != "?" })
    let auth = request.headers["Authorization"]
    func id() -> Int64 { defer { s.nextID += 1 }; return Int64(s.nextID) }
    if path.hasPrefix("/api/v2.0/") {
      guard auth == harborAuth else { return .json(401, ["errors": [["code": "UNAUTHORIZED", "message": "unauthorized"]]]) }
      guard request.headers["X-Is-Resource-Name"] == "true" else { return .json(400, ["errors": [["message": "project by name needs X-Is-Resource-Name"]]]) }
      let base = "/api/v2.0/projects/library/webhook/policies"
      switch (request.method, path) {
      case ("GET", base): return .json(200, .array(s.harbor))
      case ("POST", base):
        var policy = body
        policy["id"] = .int(id())
        s.harbor.append(policy)
        return .text(201, "")
      case ("PUT", _) where path.hasPrefix(base + "/"):
        guard let i = s.harbor.firstIndex(where: { $0["id"].intValue.map(String.init) == String(path.dropFirst(base.count + 1)) }) else { return .json(404, [:]) }
        var policy = body
        policy["id"] = s.harbor[i]["id"]
        s.harbor[i] = policy
        return .text(200, "")
      default: return .json(404, ["errors": [["message": "no route"]]])
      }
    }
    if path.hasPrefix("/api/v1/repository/") {
      guard auth == "Bearer \(quayToken)" else { return .json(401, ["error_message": .string("bad token \(auth ?? "")")]) }
      let base = "/api/v1/repository/team/app/notification/"
      switch (request.method, path) {
      case ("GET", base): return .json(200, ["notifications": .array(s.quay)])
      case ("POST", base):
        let n: JSON = ["uuid": .string("uuid-\(id())"), "title": body["title"], "event": body["event"], "method": body["method"], "config": body["config"],
                       "event_config": body["eventConfig"], "number_of_failures": 0]
        s.quay.append(n)
        return .json(201, n)
      case ("DELETE", _) where path.hasPrefix(base):
        s.quay.removeAll { $0["uuid"].stringValue == String(path.dropFirst(base.count)) }
        return .text(204, "")
      default: return .json(404, ["error_message": "no route"])
      }
    }
    if path.hasPrefix("/orgs/") || path.hasPrefix("/repos/") {
      guard auth == "Bearer \(githubToken)" else { return .json(401, ["message": "Bad credentials"]) }
      guard request.headers["X-GitHub-Api-Version"] == "2022-11-28", request.headers["Accept"] == "application/vnd.github+json" else {
        return .json(400, ["message": "missing GitHub API headers"])
      }
      let parts = path.split(separator: "/").map(String.init)
      guard let hooksAt = parts.firstIndex(of: "hooks") else { return .json(404, ["message": "Not Found"]) }
      let owner = parts[..<hooksAt].joined(separator: "/")
      switch (request.method, parts.count - hooksAt) {
      case ("GET", 1): return .json(200, .array((s.github[owner] ?? []).map(masked)))
      case ("POST", 1):
        var hook = body
        hook["id"] = .int(id())
        s.github[owner, default: []].append(hook)
        return .json(201, masked(hook))
      case ("PATCH", 2):
        guard let i = s.github[owner]?.firstIndex(where: { $0["id"].intValue.map(String.init) == parts[hooksAt + 1] }) else { return .json(404, ["message": "Not Found"]) }
        for (k, v) in body.objectValue ?? [:] { s.github[owner]![i][k] = v }
        return .json(200, masked(s.github[owner]![i]))
      default: return .json(404, ["message": "Not Found"])
      }
    }
    if path.hasPrefix("/api/v4/projects/") {
      guard request.headers["PRIVATE-TOKEN"] == gitlabToken else { return .json(401, ["message": "401 Unauthorized"]) }
      // The project id travels percent-encoded (`group%2Fapp`).
      let base = "/api/v4/projects/group%2Fapp/variables"
      switch request.method {
      case "GET" where path.hasPrefix(base + "/"):
        return s.gitlab[String(path.dropFirst(base.count + 1))].map { .json(200, $0) } ?? .json(404, ["message": "404 Variable Not Found"])
      case "POST" where path == base:
        guard let key = body["key"].stringValue, s.gitlab[key] == nil else { return .json(400, ["message": ["key": ["has already been taken"]]]) }
        var v = body
        v["environment_scope"] = "*"
        s.gitlab[key] = v
        return .json(201, v)
      case "PUT" where path.hasPrefix(base + "/"):
        let key = String(path.dropFirst(base.count + 1))
        guard s.gitlab[key] != nil else { return .json(404, ["message": "404 Variable Not Found"]) }
        for (k, v) in body.objectValue ?? [:] { s.gitlab[key]![k] = v }
        return .json(200, s.gitlab[key]!)
      default: return .json(404, ["message": "404 Not Found"])
      }
    }
    return .json(404, ["message": "no such fake API"])
  }

  /// GitHub never returns a hook's secret.
  static func masked(_ hook: JSON) -> JSON {
    var out = hook
    if !out["config"]["secret"].isNull { out["config"]["secret"] = "********" }
    return out
  }

  /// What the fake holds for GitHub `owner` (`orgs/acme`), secrets included (for assertions).
  func githubHooks(_ owner: String) -> [JSON] { state.withLock { $0.github[owner] ?? [] } }
  var harborPolicies: [JSON] { state.withLock { $0.harbor } }
  var quayNotifications: [JSON] { state.withLock { $0.quay } }
  var gitlabVariables: [String: JSON] { state.withLock { $0.gitlab } }
}
