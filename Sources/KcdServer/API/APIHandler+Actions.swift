import KcdController
import KcdCore
import KcdHTTP
import KcdJSON
import KcdKube

/// `POST /api/v1/namespaces/{ns}/kcds/{name}/{rollback|sync|approve}`: authorised per request
/// (TokenReview, then SubjectAccessReview for `update` on that KCD), then recorded on the KCD as
/// the CLI records it; the reconciler acts on it. Answers 202 with what was requested.
extension APIHandler {
  static let actions: Set<String> = ["rollback", "sync", "approve"]

  func act(_ request: HTTPRequest) -> HTTPResponse {
    let s = request.pathSegments.map(String.init)
    guard s.count == 7, s[0] == "api", s[1] == "v1", s[2] == "namespaces", s[4] == "kcds", APIHandler.actions.contains(s[6]) else {
      return .json(404, ["error": "not found"])
    }
    let (ns, name, action) = (s[3], s[5], s[6])
    guard let client, let log else { return .json(503, ["error": "this listener takes no actions"]) }
    let user: String
    switch RequestAuthorizer(client: client, log: log).decide(authorization: request.headers["Authorization"], namespace: ns, name: name, action: action) {
    case .allowed(let u): user = u
    case .unauthenticated(let why): return .json(401, ["error": .string(why)], headers: ["WWW-Authenticate": "Bearer"])
    case .forbidden(let u): return .json(403, ["error": .string("\(u) may not update kcds \(ns)/\(name)")])
    case .unavailable(let why): return .json(503, ["error": .string(why)], headers: ["Retry-After": "5"])
    }
    let body = request.body.isEmpty ? JSON.object([:]) : ((try? JSON.parse(request.body)) ?? .null)
    guard body.objectValue != nil else { return .json(400, ["error": "the body must be a JSON object"]) }
    do {
      let said = try KCDCommands.annotate(client, ns, name) { kcd in
        switch action {
        case "rollback": return try KCDRequests.rollback(kcd, version: body["version"].stringValue)
        case "sync": return try KCDRequests.sync(kcd)
        default:
          guard let digest = body["digest"].stringValue else { throw KCDRequests.Refusal("{\"digest\": \"sha256:…\"} is required") }
          return try KCDRequests.approve(kcd, digest: digest, by: user)
        }
      }
      return .json(202, ["accepted": .string(said), "by": .string(user)])
    } catch let refusal as KCDRequests.Refusal {
      return .json(409, ["error": .string(refusal.description)])
    } catch let error as KubeError where error.isNotFound {
      return .json(404, ["error": .string("kcd \(ns)/\(name) not found")])
    } catch {
      return .json(503, ["error": .string("could not record the request: \(String(describing: error).prefix(300))")], headers: ["Retry-After": "5"])
    }
  }
}
