import KcdJSON

/// A Quay repository's `repo_push` webhook notification to `<url>/hooks/quay/<token>` (the
/// `quay` secret is the path token: Quay signs nothing). Quay has no update for notifications,
/// so one that differs is deleted and created again.
struct QuayRegistration: HookRegistration {
  let api: WebAPI
  /// `namespace/repository`.
  let repository: String
  let title: String
  /// The token is the secret, appended to the URL.
  let endpoint: HookEndpoint

  var notifications: String {
    "/api/v1/repository/" + repository.split(separator: "/", omittingEmptySubsequences: false).map { WebRequest.segment(String($0)) }.joined(separator: "/")
      + "/notification/"
  }

  var list: WebRequest { WebRequest("GET", notifications) }
  func create(_ rendering: Rendering) -> WebRequest {
    WebRequest("POST", notifications, body: [
      "event": "repo_push", "method": "webhook", "config": ["url": .string(url(rendering))], "eventConfig": [:], "title": .string(title),
    ])
  }
  /// `uuid` percent-encoded already (a dry run shows `{uuid}`).
  func delete(uuid: String) -> WebRequest { WebRequest("DELETE", notifications + uuid) }

  func url(_ rendering: Rendering) -> String { endpoint.url + "/" + endpoint.secret.text(rendering) }

  func shown() -> [ShownRequest] {
    [
      api.shown(list, when: "always: find the notification titled \(title)"),
      api.shown(delete(uuid: "{uuid}"), when: "when it exists but differs ({uuid} from the list); Quay cannot update a notification"),
      api.shown(create(.show), when: "when it is missing or was deleted above"),
    ]
  }

  func apply() throws -> [RegisterOutcome] {
    let listed = try api.send(list).json["notifications"].arrayValue ?? []
    let existing = listed.first { $0["title"].stringValue == title }
    guard let existing else {
      _ = try api.send(create(.send))
      return [RegisterOutcome(object: "notification", name: "\(repository) \(title)", result: .created)]
    }
    if existing["event"].stringValue == "repo_push", existing["method"].stringValue == "webhook", existing["config"]["url"].stringValue == url(.send) {
      return [RegisterOutcome(object: "notification", name: "\(repository) \(title)", result: .unchanged)]
    }
    guard let uuid = existing["uuid"].stringValue else { throw RegisterError("Quay listed notification \(title) without a uuid") }
    _ = try api.send(delete(uuid: WebRequest.segment(uuid)))
    _ = try api.send(create(.send))
    return [RegisterOutcome(object: "notification", name: "\(repository) \(title)", result: .replaced, note: "URL, token or event differed")]
  }
}
