import KcdJSON

/// A Harbor project's webhook policy for kcd (Harbor v2 API), authenticated as a robot account:
/// `PUSH_ARTIFACT` events to `<url>/hooks/harbor`, with the `harbor` secret as the Auth Header
/// (`Bearer <secret>`, as hooks/harbor.md says; Harbor sends it verbatim as `Authorization`).
/// Harbor returns the Auth Header when listing, so a changed secret is seen and updated.
struct HarborRegistration: HookRegistration {
  let api: WebAPI
  let project: String
  let policyName: String
  let endpoint: HookEndpoint

  var policies: String { "/api/v2.0/projects/\(WebRequest.segment(project))/webhook/policies" }

  var list: WebRequest { WebRequest("GET", policies + "?page=1&page_size=100") }
  func create(_ rendering: Rendering) -> WebRequest { WebRequest("POST", policies, body: policy(rendering)) }
  func update(id: String, _ rendering: Rendering) -> WebRequest { WebRequest("PUT", policies + "/" + id, body: policy(rendering)) }

  func policy(_ rendering: Rendering) -> JSON {
    [
      "name": .string(policyName), "description": "kcd: image pushes to kcd (kcd hooks register)", "enabled": true, "event_types": ["PUSH_ARTIFACT"],
      "targets": [["type": "http", "address": .string(endpoint.url), "auth_header": .string("Bearer " + endpoint.secret.text(rendering)), "skip_cert_verify": false]],
    ]
  }

  /// Whether Harbor's copy delivers what kcd expects (the name matched already).
  func matches(_ existing: JSON) -> Bool {
    let wanted = policy(.send)
    let targets = existing["targets"].arrayValue ?? []
    guard existing["enabled"].boolValue == true, Set((existing["event_types"].arrayValue ?? []).compactMap(\.stringValue)) == ["PUSH_ARTIFACT"],
      targets.count == 1
    else { return false }
    let target = targets[0], want = wanted["targets"][0]
    return target["type"] == want["type"] && target["address"] == want["address"] && target["auth_header"] == want["auth_header"]
      && (target["skip_cert_verify"].boolValue ?? false) == false
  }

  func shown() -> [ShownRequest] {
    [
      api.shown(list, when: "always: find the policy named \(policyName)"),
      api.shown(create(.show), when: "when project \(project) has no policy named \(policyName)"),
      api.shown(update(id: "{id}", .show), when: "when it exists but differs ({id} from the list)"),
    ]
  }

  func apply() throws -> [RegisterOutcome] {
    let existing = (try api.send(list).json.arrayValue ?? []).first { $0["name"].stringValue == policyName }
    guard let existing else {
      _ = try api.send(create(.send))
      return [RegisterOutcome(object: "webhook policy", name: "\(project)/\(policyName)", result: .created)]
    }
    if matches(existing) { return [RegisterOutcome(object: "webhook policy", name: "\(project)/\(policyName)", result: .unchanged)] }
    guard let id = existing["id"].intValue else { throw RegisterError("Harbor listed policy \(policyName) without an id") }
    _ = try api.send(update(id: String(id), .send))
    return [RegisterOutcome(object: "webhook policy", name: "\(project)/\(policyName)", result: .updated, note: "endpoint, events or auth header differed")]
  }
}
