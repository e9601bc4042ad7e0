import KcdController
import KcdCore
import KcdHTTP
import KcdJSON
import KcdKube

/// Who leads, as this replica sees it.
public struct Leadership: Sendable {
  public var identity: String
  public var leading: Bool
  /// The Lease's holder (nil: nobody, or not known yet).
  public var leader: String?

  var json: JSON {
    ["identity": .string(identity), "leading": .bool(leading), "leader": leader.map(JSON.string) ?? .null]
  }
}

/// The API listener (cluster-internal): health, readiness, version, metrics, who leads, the
/// workloads and KCDs (SPEC §5), and the actions people take (rollback, sync, approve).
public struct APIHandler: HTTPHandler {
  let controller: Controller
  let metrics: MetricsRegistry
  let leadership: @Sendable () -> Leadership
  /// For actions: kcd's own client (TokenReview, SubjectAccessReview, the annotation) and log.
  let client: KubeClient?
  let log: Logger?
  /// The hooks listener's last answers (the dashboard shows them).
  let deliveries: DeliveryLog

  public init(controller: Controller, metrics: MetricsRegistry, client: KubeClient? = nil, log: Logger? = nil, deliveries: DeliveryLog = DeliveryLog(),
              leadership: @escaping @Sendable () -> Leadership) {
    self.deliveries = deliveries
    self.controller = controller
    self.metrics = metrics
    self.client = client
    self.log = log
    self.leadership = leadership
  }

  /// Reads come from memory (caches, metrics): answered on the event loop. Actions call the
  /// API server: on a worker.
  public func reply(_ request: HTTPRequest) -> HTTPReply {
    request.method == "POST" ? .later { act(request) } : .now(handle(request))
  }

  public func handle(_ request: HTTPRequest) -> HTTPResponse {
    if request.method == "POST" { return act(request) }
    guard request.method == "GET" || request.method == "HEAD" else { return .json(405, ["error": "method not allowed"]) }
    switch request.path {
    case "/healthz": return .text(200, "ok\n")
    case "/", "/api/v1/dashboard", "/dashboard.js", "/dashboard.css": return dashboard(request)
    // Browsers ask for it; the dashboard has none.
    case "/favicon.ico": return HTTPResponse(status: 204)
    case "/readyz": return APIHandler.readiness(controller, leadership())
    case "/api/v1/leader": return .json(200, leadership().json)
    case "/version": return .json(200, ["version": .string(KcdVersion.current)])
    case "/metrics":
      return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: Array(metrics.render().utf8))
    default: break
    }
    if let answer = read(request) { return answer }
    return .json(404, ["error": "not found"])
  }

  /// What the API says about a KCD: its spec essentials and status, never annotations or secrets.
  static func summary(_ kcd: KCD) -> JSON {
    var j: JSON = ["namespace": .string(kcd.namespace), "name": .string(kcd.name), "status": kcd.status.json]
    if let spec = kcd.spec {
      j["imageRepo"] = .string(spec.imageRepo)
      j["tag"] = spec.tag.map(JSON.string) ?? .null
      if let policy = spec.versionPolicy { j["versionPolicy"] = .string(policy.description) }
    }
    if !kcd.problems.isEmpty { j["problems"] = .array(kcd.problems.map { .string($0.message) }) }
    return j
  }

  /// 200 once every cache has synced and the KCD cache is current; the body says how each
  /// cache stands either way.
  static func readiness(_ controller: Controller, _ leadership: Leadership) -> HTTPResponse {
    let ready = controller.hasSynced && controller.kcdsCurrent
    var lines = [ready ? "ok" : "not ready"]
    lines.append(leadership.leading ? "leader: this replica (\(leadership.identity))" : "leader: \(leadership.leader ?? "none yet"); this replica follows")
    for (resource, namespace, h) in controller.informerStates {
      let state = h.unavailable ? "unavailable (not served or not permitted; not waited for)"
        : !h.synced ? "not synced" : h.watching ? "watching" : "reconnecting"
      var line = "\(resource)\(namespace.map { " (\($0))" } ?? ""): \(state)"
      if h.consecutiveFailures > 0, let e = h.lastError { line += ", \(h.consecutiveFailures) failures, last: \(e.prefix(200))" }
      lines.append(line)
    }
    return .text(ready ? 200 : 503, lines.joined(separator: "\n") + "\n")
  }
}
