import KcdController
import KcdCore
import KcdHTTP
import KcdJSON

/// The read routes of SPEC §5, answered from the caches (no API-server request per GET),
/// with the original kcd's aliases.
extension APIHandler {
  func read(_ request: HTTPRequest) -> HTTPResponse? {
    let s = request.pathSegments.map(String.init)
    let namespace = request.queryValue("namespace").flatMap { $0.isEmpty ? nil : $0 }
    switch s {
    case ["api", "v1", "workloads"], ["kcd", "v1", "resources"], ["v1", "kcd", "workloads"]:
      return workloads(request, namespace: namespace)
    case _ where s.count == 5 && s[0] == "kcd" && s[1] == "v1" && s[2] == "namespaces" && s[4] == "resources":
      return workloads(request, namespace: s[3])
    case _ where s.count == 4 && ((s[0] == "v1" && s[1] == "kcd" && s[2] == "workloads") || (s[0] == "kcd" && s[1] == "v1" && s[2] == "history")):
      guard let namespace else { return .json(400, ["error": "?namespace= is required"]) }
      guard let kcd = managing(namespace: namespace, name: s[3]) else { return .json(404, ["error": .string("no KCD manages \(namespace)/\(s[3])")]) }
      return .json(200, APIHandler.history(kcd))
    case ["api", "v1", "openapi.json"]:
      return .json(200, OpenAPIDocument.document)
    case _ where s.count == 4 && s[0] == "api" && s[1] == "v1" && s[2] == "rollouts":
      return rollout(id: s[3])
    case _ where (s.count == 6 || s.count == 7) && s[0] == "api" && s[1] == "v1" && s[2] == "namespaces" && s[4] == "kcds":
      guard let kcd = controller.kcds.get(namespace: s[3], name: s[5]) else { return .json(404, ["error": .string("kcd \(s[3])/\(s[5]) not found")]) }
      if s.count == 6 { return .json(200, APIHandler.summary(kcd)) }
      return s[6] == "history" ? .json(200, APIHandler.history(kcd)) : nil
    default:
      return nil
    }
  }

  func workloads(_ request: HTTPRequest, namespace: String?) -> HTTPResponse {
    let rows = WorkloadRow.all(controller, namespace: namespace)
    if request.queryValue("format") == "html" {
      return HTTPResponse(status: 200, headers: ["Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'none'"],
                          body: Array(WorkloadRow.html(rows).utf8))
    }
    return .json(200, .array(rows.map(\.json)))
  }

  /// The KCD named so, or the one whose selector picks the workload named so.
  func managing(namespace: String, name: String) -> KCD? {
    if let kcd = controller.kcds.get(namespace: namespace, name: name) { return kcd }
    let workloads = controller.workloads.inNamespace(namespace).filter { $0.ref.name == name }
    return controller.kcds.inNamespace(namespace).sorted { $0.name < $1.name }.first { kcd in
      guard let spec = kcd.spec else { return false }
      return workloads.contains { spec.selects($0.labels) && !ImagePlan.containers(in: $0, spec: spec).isEmpty }
    }
  }

  /// A rollout by its id (the delivery id of the event behind it): the one in flight or one in
  /// a history.
  func rollout(id: String) -> HTTPResponse {
    for kcd in controller.kcds.all {
      if let r = kcd.status.rollout, r.id == id {
        var j: JSON = ["kcd": .string(kcd.key), "id": .string(r.id), "trigger": .string(r.trigger), "image": .string(r.image), "digest": .string(r.digest),
                       "version": .string(r.version), "startedAt": .string(Timestamps.rfc3339(r.startedAt)),
                       "result": .string((r.result ?? .progressing).rawValue),
                       "workloads": .array(r.workloads.map { .string("\($0.kind.rawValue)/\($0.name)") })]
        if let f = r.finishedAt { j["finishedAt"] = .string(Timestamps.rfc3339(f)) }
        return .json(200, j)
      }
      if let h = kcd.status.history.first(where: { $0.trigger.hasSuffix(":" + id) }) {
        var j = APIHandler.record(h)
        j["kcd"] = .string(kcd.key)
        j["id"] = .string(id)
        return .json(200, j)
      }
    }
    return .json(404, ["error": .string("no rollout \(id.prefix(128)) is known")])
  }

  static func record(_ r: RolloutRecord) -> JSON {
    var j: JSON = ["version": .string(r.version), "digest": .string(r.digest), "result": .string(r.result.rawValue),
                   "startedAt": .string(Timestamps.rfc3339(r.startedAt)), "trigger": .string(r.trigger)]
    if let f = r.finishedAt { j["finishedAt"] = .string(Timestamps.rfc3339(f)) }
    if let by = r.approvedBy { j["approvedBy"] = .string(by) }
    return j
  }

  static func history(_ kcd: KCD) -> JSON {
    ["namespace": .string(kcd.namespace), "name": .string(kcd.name), "history": .array(kcd.status.history.map(record))]
  }
}

extension WorkloadRow {
  /// The workload list as a plain HTML table (the original kcd's `format=html`).
  static func html(_ rows: [WorkloadRow]) -> String {
    let head = ["Namespace", "Workload", "Kind", "Container", "KCD", "Tag", "Version", "Digest", "Status", "Available", "Updated"]
    var body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>kcd workloads</title></head><body><table>\n<tr>"
    body += head.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
    for r in rows {
      let cells = [r.namespace, r.name, r.kind, r.container, r.kcd, r.tag, r.version ?? "", r.digest.map { String($0.prefix(19)) } ?? "", r.status ?? "",
                   String(r.availablePods), r.lastUpdated.map(Timestamps.rfc3339) ?? ""]
      body += "<tr>" + cells.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>\n"
    }
    return body + "</table></body></html>\n"
  }
}
