import KcdJSON

/// An organisation or repository webhook for GHCR package events to `<url>/hooks/github`,
/// signed with the `github` secret. GitHub never returns a hook's secret, so it cannot be
/// compared: an existing hook is updated only when its URL's settings or events differ, or
/// with `--rotate`.
struct GitHubRegistration: HookRegistration {
  let api: WebAPI
  /// `/orgs/<org>` or `/repos/<owner>/<repo>`.
  let owner: String
  let endpoint: HookEndpoint
  let rotate: Bool

  /// The events `GitHubHook` acts on: `package`, and for organisations `registry_package`
  /// too (hooks/github.md).
  var events: [String] { owner.hasPrefix("/orgs/") ? ["package", "registry_package"] : ["package"] }

  func list(page: Int) -> WebRequest { WebRequest("GET", owner + "/hooks?per_page=100&page=\(page)") }
  func create(_ rendering: Rendering) -> WebRequest {
    var body = hook(rendering)
    body["name"] = "web"
    return WebRequest("POST", owner + "/hooks", body: body)
  }
  func update(id: String, _ rendering: Rendering) -> WebRequest { WebRequest("PATCH", owner + "/hooks/" + id, body: hook(rendering)) }

  func hook(_ rendering: Rendering) -> JSON {
    [
      "active": true, "events": .array(events.map { .string($0) }),
      "config": ["url": .string(endpoint.url), "content_type": "json", "secret": .string(endpoint.secret.text(rendering)), "insecure_ssl": "0"],
    ]
  }

  /// Everything but the secret, which GitHub shows as `********`.
  func matches(_ existing: JSON) -> Bool {
    let config = existing["config"]
    let insecure = config["insecure_ssl"].stringValue ?? config["insecure_ssl"].intValue.map(String.init)
    return existing["active"].boolValue == true && Set((existing["events"].arrayValue ?? []).compactMap(\.stringValue)) == Set(events)
      && config["content_type"].stringValue == "json" && insecure == "0"
  }

  func shown() -> [ShownRequest] {
    [
      api.shown(list(page: 1), when: "always: find the hook whose config.url is \(endpoint.url) (page 2, 3 … while a page is full)"),
      api.shown(create(.show), when: "when there is none"),
      api.shown(update(id: "{id}", .show), when: "when its events or settings differ, or with --rotate ({id} from the list)"),
    ]
  }

  func apply() throws -> [RegisterOutcome] {
    var existing: JSON?
    var page = 1
    while existing == nil {
      let hooks = try api.send(list(page: page)).json.arrayValue ?? []
      existing = hooks.first { $0["config"]["url"].stringValue == endpoint.url }
      guard hooks.count == 100, page < 50 else { break }
      page += 1
    }
    let name = owner.dropFirst() + " " + endpoint.url
    guard let existing else {
      _ = try api.send(create(.send))
      return [RegisterOutcome(object: "webhook", name: String(name), result: .created)]
    }
    let matched = matches(existing)
    if matched && !rotate {
      return [RegisterOutcome(object: "webhook", name: String(name), result: .unchanged, note: "secret not compared (GitHub never returns it); --rotate sets it again")]
    }
    guard let id = existing["id"].intValue else { throw RegisterError("GitHub listed the hook without an id") }
    _ = try api.send(update(id: String(id), .send))
    return [RegisterOutcome(object: "webhook", name: String(name), result: .updated, note: matched ? "secret set again (--rotate)" : "events or settings differed; secret set again")]
  }
}
