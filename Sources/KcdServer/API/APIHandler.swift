import KcdController
import KcdCore
import KcdHTTP
import KcdJSON
import KcdKube

/// The API listener (cluster-internal): health, readiness, version, metrics and KCD status.
public struct APIHandler: HTTPHandler {
  let controller: Controller
  let metrics: MetricsRegistry

  public init(controller: Controller, metrics: MetricsRegistry) {
    self.controller = controller
    self.metrics = metrics
  }

  public func handle(_ request: HTTPRequest) -> HTTPResponse {
    guard request.method == "GET" || request.method == "HEAD" else { return .json(405, ["error": "method not allowed"]) }
    let s = request.pathSegments.map(String.init)
    switch request.path {
    case "/healthz": return .text(200, "ok\n")
    case "/readyz": return controller.hasSynced ? .text(200, "ok\n") : .text(503, "informers not synced\n")
    case "/version": return .json(200, ["version": .string(KcdVersion.current)])
    case "/metrics":
      return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: Array(metrics.render().utf8))
    default: break
    }
    if s.count == 6, s[0] == "api", s[1] == "v1", s[2] == "namespaces", s[4] == "kcds" {
      guard let kcd = controller.kcds.first(where: { Informer.key($0) == "\(s[3])/\(s[5])" }) else {
        return .json(404, ["error": .string("kcd \(s[3])/\(s[5]) not found")])
      }
      return .json(200, APIHandler.summary(kcd))
    }
    return .json(404, ["error": "not found"])
  }

  /// What the API says about a KCD: its spec essentials and status, never annotations or secrets.
  static func summary(_ kcd: JSON) -> JSON {
    ["namespace": kcd["metadata"]["namespace"], "name": kcd["metadata"]["name"], "imageRepo": kcd["spec"]["imageRepo"],
     "tag": kcd["spec"]["tag"], "status": kcd["status"]]
  }
}
