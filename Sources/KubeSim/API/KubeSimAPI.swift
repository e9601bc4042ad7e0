import KcdHTTP
import KcdJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The HTTP face of KubeSim: authentication, fault injection, the request log, and routing to
/// discovery, resources and the `/_sim/` control plane.
public final class KubeSimAPI: HTTPHandler {
  public let store: ObjectStore
  public let faults: FaultPlan
  public let requestLog: RequestLog
  public let access: AccessTable
  let tokens: Mutex<Set<String>>
  let settings: Mutex<WatchSettings>
  let discovery: Discovery
  /// Extra control routes (the workload simulator registers its own).
  let extraControl: Mutex<[String: @Sendable (HTTPRequest) -> HTTPResponse]>

  /// Requests without credentials are served (as a cluster with anonymous auth would).
  public var allowAnonymous: Bool {
    get { settings.withLock { $0.allowAnonymous } }
    set { settings.withLock { $0.allowAnonymous = newValue } }
  }

  struct WatchSettings {
    var allowAnonymous = false
    var bookmarkInterval = 1.0
    var maximumTimeout = 1800.0
  }

  /// `serverMinorVersion` is what `/version` says; nil says the store's emulated version.
  public init(store: ObjectStore, token: String, serverMinorVersion: String? = nil) {
    self.store = store
    self.faults = FaultPlan()
    self.requestLog = RequestLog()
    self.access = AccessTable()
    self.tokens = Mutex([token])
    self.settings = Mutex(WatchSettings())
    self.discovery = Discovery(store: store, serverVersion: ("1", serverMinorVersion ?? String(store.version.minor)))
    self.extraControl = Mutex([:])
  }

  /// Replaces the accepted bearer tokens (rotation); old tokens stop working at once.
  public func setTokens(_ list: [String]) { tokens.withLock { $0 = Set(list) } }

  public var bookmarkInterval: Double {
    get { settings.withLock { $0.bookmarkInterval } }
    set { settings.withLock { $0.bookmarkInterval = max(0.01, newValue) } }
  }

  public var maximumWatchTimeout: Double {
    get { settings.withLock { $0.maximumTimeout } }
    set { settings.withLock { $0.maximumTimeout = max(0.1, newValue) } }
  }

  public func addControlRoute(_ path: String, _ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
    extraControl.withLock { $0[path] = handler }
  }

  public func handle(_ request: HTTPRequest) -> HTTPResponse {
    let response = route(request)
    // When the API server answered: for a write, when it was accepted.
    let received = Timestamps.now()
    if !request.path.hasPrefix("/_sim/") {
      let contentType = request.headers["Content-Type"] ?? ""
      let q = request.target.firstIndex(of: "?").map { String(request.target[request.target.index(after: $0)...]) } ?? ""
      requestLog.append(RequestRecord(
        method: request.method, path: request.path, query: q, contentType: contentType,
        body: String(decoding: request.body.prefix(64 * 1024), as: UTF8.self), code: response.status,
        userAgent: request.headers["User-Agent"] ?? "", at: received))
    }
    return response
  }

  func route(_ request: HTTPRequest) -> HTTPResponse {
    let path = request.path
    // Public paths need no credentials, but credentials that are sent must be valid (authentication
    // runs before the public-info authorisation, as in the apiserver).
    let isPublic = ["/healthz", "/readyz", "/livez", "/version"].contains(path)
    guard authenticated(request) || (isPublic && request.headers["Authorization"] == nil) else { return KubeSimAPI.failure(.unauthorized) }
    if path == "/version" { return .json(200, discovery.version) }
    if isPublic { return .text(200, "ok") }
    if path.hasPrefix("/_sim/") {
      // The simulator's controls are the admin's, never an RBAC user's.
      if case .user(let user)? = caller(request) {
        return KubeSimAPI.failure(StatusError(code: 403, reason: "Forbidden", message: "User \"\(user.username)\" cannot use the simulator's controls"))
      }
      return control(request)
    }
    let latency = faults.latencySeconds
    if latency > 0 { usleep(UInt32(min(latency, 60) * 1_000_000)) }
    switch path {
    case "/api", "/api/": return .json(200, discovery.coreVersions)
    case "/apis", "/apis/": return .json(200, discovery.groupList)
    case "/openapi/v2":
      return HTTPResponse(status: 200, headers: ["Content-Type": "application/octet-stream"], body: [])
    default: break
    }
    if path.hasPrefix("/openapi/") || path.hasPrefix("/swagger") {
      return KubeSimAPI.failure(StatusError(code: 404, reason: "NotFound", message: "the server could not find the requested resource"))
    }
    let segments = request.pathSegments
    if segments.count == 2 && segments[0] == "apis" {
      if let g = discovery.group(String(segments[1])) { return .json(200, g) }
      return KubeSimAPI.notFoundPath()
    }
    guard let rp = ResourcePath.parse(segments) else { return KubeSimAPI.notFoundPath() }
    guard let plural = rp.plural else {
      if let list = discovery.resourceList(group: rp.group, version: rp.version) { return .json(200, list) }
      return KubeSimAPI.notFoundPath()
    }
    guard let type = store.resourceType(group: rp.group, version: rp.version, plural: plural) else { return KubeSimAPI.notFoundPath() }
    if type.namespaced == false && rp.namespace != nil { return KubeSimAPI.notFoundPath() }
    let verb = KubeSimAPI.verb(request, rp)
    if let denied = authorize(request, verb: verb, type: type, path: rp) { return KubeSimAPI.failure(denied) }
    if let fault = faults.draw(verb: verb, resource: plural, namespace: rp.namespace, name: rp.name) {
      return KubeSimAPI.faultResponse(fault, type: type, name: rp.name ?? "")
    }
    do {
      return try ResourceHandler(api: self, type: type, path: rp, request: request).respond(verb: verb)
    } catch {
      return KubeSimAPI.failure(error)
    }
  }

  func authenticated(_ request: HTTPRequest) -> Bool {
    guard request.headers["Authorization"] != nil else { return allowAnonymous }
    return caller(request) != nil
  }

  /// Who sends the request: the admin (KubeSim's own tokens, no authorisation), a user of the
  /// access table (authorised by RBAC), or nil when the token is not known.
  enum Caller { case admin, user(AccessTable.User) }

  func caller(_ request: HTTPRequest) -> Caller? {
    guard let header = request.headers["Authorization"] else { return allowAnonymous ? .admin : nil }
    guard header.hasPrefix("Bearer ") else { return nil }
    let token = String(header.dropFirst(7)).trimmingSpaces()
    if tokens.withLock({ $0.contains(token) }) { return .admin }
    return access.user(token: token).map { .user($0) }
  }

  /// RBAC for a user of the access table, with kube-apiserver's request attributes (a list or
  /// watch selecting one name by field selector is authorised for that name).
  func authorize(_ request: HTTPRequest, verb: String, type: ResourceType, path rp: ResourcePath) -> StatusError? {
    guard case .user(let user) = caller(request) else { return nil }
    var name = rp.name ?? ""
    if name.isEmpty, verb == "list" || verb == "watch", let selector = request.queryValue("fieldSelector"), selector.hasPrefix("metadata.name="),
       !selector.contains(",") {
      name = String(selector.dropFirst("metadata.name=".count))
    }
    let r = RBACAuthorizer.Request(user: user.username, groups: user.groups + ["system:authenticated"], verb: verb, group: type.group,
                                   resource: type.plural, subresource: rp.subresource ?? "", name: name, namespace: rp.namespace ?? "")
    return RBACAuthorizer(store: store).allows(r) == nil ? RBACAuthorizer.forbidden(r) : nil
  }

  static func verb(_ request: HTTPRequest, _ rp: ResourcePath) -> String {
    switch request.method {
    case "GET", "HEAD":
      if rp.name != nil { return "get" }
      let w = request.queryValue("watch")
      return (w == "1" || w == "true") ? "watch" : "list"
    case "POST": return "create"
    case "PUT": return "update"
    case "PATCH": return "patch"
    case "DELETE": return rp.name == nil ? "deletecollection" : "delete"
    default: return request.method.lowercased()
    }
  }

  static func failure(_ error: StatusError) -> HTTPResponse {
    var headers = HTTPHeaders()
    if let r = error.retryAfterSeconds { headers.set("Retry-After", String(r)) }
    return .json(error.code, error.status, headers: headers)
  }

  static func notFoundPath() -> HTTPResponse {
    failure(StatusError(code: 404, reason: "NotFound", message: "the server could not find the requested resource", details: [:]))
  }

  static func faultResponse(_ fault: FaultRule, type: ResourceType, name: String) -> HTTPResponse {
    var headers = HTTPHeaders()
    let retryAfter = fault.retryAfterSeconds ?? (fault.code == 429 || fault.code == 504 ? 1 : nil)
    if let r = retryAfter { headers.set("Retry-After", String(r)) }
    if fault.code == 429 && !fault.statusBody {
      return .text(429, "Too many requests, please try again later.\n", headers: headers)
    }
    let error: StatusError
    switch fault.code {
    case 403:
      // The message the RBAC authorizer gives (k8s.io/apiserver's forbidden()).
      error = StatusError(code: 403, reason: "Forbidden", message: "\(type.group.isEmpty ? type.plural : type.plural + "." + type.group) is forbidden: injected fault",
                          details: ["group": .string(type.group), "kind": .string(type.plural)])
    case 404: error = StatusError(code: 404, reason: "NotFound", message: "the server could not find the requested resource", details: [:])
    case 409: error = .conflict(type, name)
    case 429: error = StatusError(code: 429, reason: "TooManyRequests", message: "Too many requests, please try again later.", retryAfterSeconds: retryAfter)
    case 503: error = StatusError(code: 503, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request")
    case 504:
      error = StatusError(code: 504, reason: "Timeout", message: "Too large resource version",
                          details: ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]]], retryAfterSeconds: retryAfter)
    default: error = StatusError(code: fault.code, reason: "InternalError", message: "Internal error occurred: injected fault")
    }
    return .json(fault.code, error.status, headers: headers)
  }
}
