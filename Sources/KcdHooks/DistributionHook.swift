import KcdJSON

/// `POST /hooks/distribution`: CNCF Distribution (docker-registry 2.x/3.x) notifications, which
/// GitLab's self-managed registry sends too, and Azure Container Registry webhooks (one event,
/// not wrapped in `events`).
///
/// - `secrets`: the lines of the `distribution` secret file, each an accepted value of the
///   configured `Authorization` header: `Bearer <secret>`, the Basic-auth password, or the
///   whole header value.
/// - `registryHost`: the host to file events under, overriding `request.host` (for a registry
///   whose externally visible name differs from what it reports).
///
/// Each event's `id` is its delivery id. Manifest and index pushes by tag become push events;
/// manifest pulls and deletes become pull and delete events; blob traffic, mounts and pushes
/// by digest alone (the children of a multi-arch index) are skipped.
public struct DistributionHook: HookSource {
  public var name: String { "distribution" }

  static let contentTypes: Set<String> = [
    "application/vnd.docker.distribution.events.v1+json", "application/vnd.docker.distribution.events.v2+json", "application/json",
  ]

  /// Manifest and index media types: the only targets that name an image.
  static let manifestTypes: Set<String> = [
    "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v1+json", "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
  ]

  let secrets: SharedSecrets
  let registryHost: String?

  public init(secrets: [String], registryHost: String? = nil) {
    self.secrets = SharedSecrets(secrets, source: "distribution")
    self.registryHost = registryHost.flatMap { $0.isEmpty ? nil : $0.lowercased() }
  }

  public func handle(_ request: HookRequest) throws(HookRejection) -> HookOutcome {
    guard request.pathRest.isEmpty else { throw HookRejection(404, "no such hook") }
    try secrets.authenticateHeader(request)
    if let type = HookParsing.mediaType(request.header("content-type")), !type.isEmpty, !Self.contentTypes.contains(type) {
      throw .malformed("unsupported Content-Type for registry notifications")
    }
    let envelope = try HookParsing.object(request.body)
    let list: [JSON]
    if let events = envelope["events"].arrayValue {
      list = events
    } else if envelope["action"].stringValue != nil {
      list = [envelope]  // Azure ACR: a bare event
    } else {
      throw .malformed("no events in the notification")
    }
    var out: [ImageEvent] = []
    for event in list {
      guard event.objectValue != nil else { throw .malformed("an event is not a JSON object") }
      if let e = try convert(event, now: request.now) { out.append(e) }
    }
    return out.isEmpty ? HookParsing.ignored("no image events in the notification") : .events(out)
  }

  /// One Distribution event; nil when it names no image change kcd follows.
  func convert(_ event: JSON, now: Double) throws(HookRejection) -> ImageEvent? {
    let action: ImageEvent.Action
    switch event["action"].stringValue {
    case "push": action = .push
    case "pull": action = .pull
    case "delete": action = .delete
    default: return nil  // mount, ping, chart_push, quarantine …
    }
    let target = event["target"]
    guard let repository = target["repository"].stringValue, !repository.isEmpty else { throw .malformed("an event has no target.repository") }
    let tag = target["tag"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
    let digest = target["digest"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
    let mediaType = target["mediaType"].stringValue
    if let mediaType, !Self.manifestTypes.contains(mediaType) { return nil }  // blobs, signatures' layers, …
    switch action {
    case .push, .pull:
      // Blob events always carry a media type; a tag without one can only be a manifest.
      guard tag != nil else { return nil }
    case .delete:
      guard tag != nil || digest != nil else { return nil }  // a whole-repository delete
    }
    guard let host = try host(of: event) else { throw .malformed("an event has no request.host") }
    guard let id = event["id"].stringValue, !id.isEmpty else { throw .malformed("an event has no id") }
    return try HookParsing.event(repository: "\(host)/\(repository)", tag: tag, digest: digest, action: action, source: "distribution",
                                 deliveryID: id, now: now)
  }

  /// The registry's externally visible host: the override, else `request.host` (never
  /// `source.addr`, the registry node's own address), else the host of `target.url`.
  func host(of event: JSON) throws(HookRejection) -> String? {
    if let registryHost { return registryHost }
    if let host = event["request"]["host"].stringValue, !host.isEmpty {
      guard !host.contains("/"), !host.contains("@"), !host.contains(" ") else { throw .malformed("request.host is not a host name") }
      return host.lowercased()
    }
    if let url = event["target"]["url"].stringValue, let start = url.firstRange(of: "://") {
      let rest = url[start.upperBound...]
      let host = rest.prefix(while: { $0 != "/" })
      if !host.isEmpty, !host.contains("@") { return host.lowercased() }
    }
    return nil
  }
}
