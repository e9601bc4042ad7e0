import KcdHTTP
import KcdJSON

/// `GET …/pods/{name}/log`: the simulated pods print what they were started with, so a test
/// can see a container's image and its `KCD_*` environment, and how it ended. Plain text, as the
/// kubelet serves it; `container`, `tailLines` and `limitBytes` as the apiserver reads them. A
/// container that has not started is a 400 with the apiserver's wording.
struct PodLog {
  let store: ObjectStore
  let namespace: String
  let name: String
  let request: HTTPRequest

  func response(verb: String) throws(StatusError) -> HTTPResponse {
    guard verb == "get" else { throw StatusError.methodNotAllowed() }
    let type = BuiltinResources.pods
    guard let pod = store.get(type, namespace: namespace, name: name) else { throw StatusError.notFound(type, name) }
    let containers = pod["spec"]["containers"].arrayValue ?? []
    let wanted = request.queryValue("container")
    guard let container = wanted.map({ w in containers.first { $0["name"].stringValue == w } }) ?? (containers.count == 1 ? containers.first : nil) else {
      if let w = wanted { throw StatusError.badRequest("container \(w) is not valid for pod \(name)") }
      let names = containers.compactMap { $0["name"].stringValue }.joined(separator: " ")
      throw StatusError.badRequest("a container name must be specified for pod \(name), choose one of: [\(names)]")
    }
    let cname = container["name"].stringValue ?? ""
    let status = (pod["status"]["containerStatuses"].arrayValue ?? []).first { $0["name"].stringValue == cname } ?? .null
    if let waiting = status["state"]["waiting"]["reason"].stringValue, status["lastState"]["terminated"].isNull {
      throw StatusError.badRequest("container \"\(cname)\" in pod \"\(name)\" is waiting to start: \(waiting)")
    }
    var lines = ["kubesim: container \(cname) started from \(container["image"].stringValue ?? "")"]
    for env in container["env"].arrayValue ?? [] {
      if let n = env["name"].stringValue, n.hasPrefix("KCD_") { lines.append("\(n)=\(env["value"].stringValue ?? "")") }
    }
    if let code = status["state"]["terminated"]["exitCode"].intValue ?? status["lastState"]["terminated"]["exitCode"].intValue {
      lines.append("kubesim: exited with code \(code)")
    }
    if let tail = request.queryValue("tailLines").flatMap(Int.init), tail >= 0 { lines = Array(lines.suffix(tail)) }
    var body = Array(lines.map { $0 + "\n" }.joined().utf8)
    if let limit = request.queryValue("limitBytes").flatMap(Int.init), limit > 0, body.count > limit { body = Array(body.prefix(limit)) }
    return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: body)
  }
}
