import KcdJSON

/// `POST /hooks/harbor`: Harbor 2.x webhooks in either payload format: Default JSON (`type`
/// `PUSH_ARTIFACT`, `event_data`) or CloudEvents (`application/cloudevents+json`, `type`
/// `harbor.artifact.pushed`, `data`).
///
/// - `secrets`: the lines of the `harbor` secret file, each an accepted value of the policy's
///   Auth Header (sent verbatim as `Authorization`): the whole value, `Bearer <secret>`, or a
///   Basic-auth password.
/// - `registryHost`: the host to file events under when `resource_url` does not carry one.
///
/// Delivery id: the CloudEvents `id`; for Default payloads, which have none, `occur_at` with the
/// resource's digest (or tag). Several resources in one delivery get `#<n>` suffixes.
public struct HarborHook: HookSource {
  public var name: String { "harbor" }

  let secrets: SharedSecrets
  let registryHost: String?

  public init(secrets: [String], registryHost: String? = nil) {
    self.secrets = SharedSecrets(secrets, source: "harbor")
    self.registryHost = registryHost.flatMap { $0.isEmpty ? nil : $0.lowercased() }
  }

  /// Default-format types (and Harbor 1.x names) and their CloudEvents equivalents.
  static let actions: [String: ImageEvent.Action] = [
    "PUSH_ARTIFACT": .push, "pushImage": .push, "harbor.artifact.pushed": .push,
    "DELETE_ARTIFACT": .delete, "deleteImage": .delete, "harbor.artifact.deleted": .delete,
    "PULL_ARTIFACT": .pull, "pullImage": .pull, "harbor.artifact.pulled": .pull,
  ]

  public func handle(_ request: HookRequest) throws(HookRejection) -> HookOutcome {
    guard request.pathRest.isEmpty else { throw HookRejection(404, "no such hook") }
    try secrets.authenticateHeader(request)
    let payload = try HookParsing.object(request.body)
    let cloudEvent = HookParsing.mediaType(request.header("content-type")) == "application/cloudevents+json" || !payload["specversion"].isNull
    guard let type = payload["type"].stringValue else { throw .malformed("the Harbor event has no type") }
    guard let action = Self.actions[type] else { return HookParsing.ignored("Harbor event type ignored") }
    let data = cloudEvent ? payload["data"] : payload["event_data"]
    guard let resources = data["resources"].arrayValue else { throw .malformed("the Harbor event has no resources") }
    let baseID: String
    if cloudEvent {
      guard let id = payload["id"].stringValue, !id.isEmpty else { throw .malformed("the CloudEvent has no id") }
      baseID = id
    } else {
      baseID = "harbor:\(payload["occur_at"].intValue.map(String.init) ?? "0")"
    }
    let fullName = data["repository"]["repo_full_name"].stringValue
    var events: [ImageEvent] = []
    for (index, resource) in resources.enumerated() {
      guard resource.objectValue != nil else { throw .malformed("a Harbor resource is not an object") }
      // By-digest operations put the digest in `tag`.
      let tag = resource["tag"].stringValue.flatMap { $0.isEmpty || $0.hasPrefix("sha256:") ? nil : $0 }
      let digest = resource["digest"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
      if action != .delete, tag == nil { continue }
      guard tag != nil || digest != nil else { continue }
      let repository = try repository(resource: resource, fullName: fullName)
      var id = cloudEvent ? baseID : "\(baseID):\(digest ?? tag ?? "")"
      if resources.count > 1 { id += "#\(index)" }
      events.append(try HookParsing.event(repository: repository, tag: tag, digest: digest, action: action, source: "harbor",
                                          deliveryID: id, now: request.now))
    }
    return events.isEmpty ? HookParsing.ignored("no tagged artifacts in the Harbor event") : .events(events)
  }

  /// `resource_url` is `host/project/repo:tag` (or `@digest`); the repository name comes from
  /// `repo_full_name` when given, the host from the URL or the override.
  func repository(resource: JSON, fullName: String?) throws(HookRejection) -> String {
    let url = resource["resource_url"].stringValue.map { HookParsing.reference($0).repository }
    let urlHost = url.flatMap { HookParsing.hasHost($0) ? String($0.split(separator: "/")[0]) : nil }
    guard let host = registryHost ?? urlHost else { throw .malformed("the Harbor resource has no registry host") }
    if let fullName, !fullName.isEmpty { return "\(host)/\(fullName)" }
    guard let url, !url.isEmpty else { throw .malformed("the Harbor event has no repository") }
    guard urlHost != nil, let slash = url.firstIndex(of: "/") else { return "\(host)/\(url)" }
    return "\(host)\(url[slash...])"
  }
}
