import KcdHTTP
import KcdJSON

/// The dashboard's routes on the API listener.
extension APIHandler {
  func dashboard(_ request: HTTPRequest) -> HTTPResponse {
    switch request.path {
    case "/dashboard.js":
      return HTTPResponse(status: 200, headers: ["Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache",
                                                 "X-Content-Type-Options": "nosniff"], body: Array(DashboardAssets.js.utf8))
    case "/dashboard.css":
      return HTTPResponse(status: 200, headers: ["Content-Type": "text/css; charset=utf-8", "Cache-Control": "no-cache",
                                                 "X-Content-Type-Options": "nosniff"], body: Array(DashboardAssets.css.utf8))
    default: break
    }
    let namespace = request.queryValue("namespace").flatMap { $0.isEmpty ? nil : $0 }
    let model = DashboardModel(controller: controller, leader: leadership(), deliveryLog: deliveries, namespace: namespace,
                               status: request.queryValue("status").flatMap { $0.isEmpty ? nil : $0 })
    if request.path == "/api/v1/dashboard" { return .json(200, model.json, headers: ["Cache-Control": "no-store"]) }
    return HTTPResponse(status: 200, headers: ["Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": DashboardPage.contentSecurityPolicy,
                                               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"],
                        body: Array(DashboardPage.render(model).utf8))
  }
}
