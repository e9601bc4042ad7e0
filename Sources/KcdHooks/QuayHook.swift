import KcdJSON

/// `POST /hooks/quay/<token>`: Quay `repo_push` notifications. Quay signs nothing, so the
/// secret is the path token; tags come without digests, which the controller resolves.
///
/// - `secrets`: the lines of the `quay` secret file, each an accepted path token.
///
/// One push event per entry of `updated_tags` (a list, or in old payloads an object keyed by
/// tag). Quay sends no delivery id: each event's id is the SHA-256 of the body plus `#<tag>`.
/// Quay sends no delete notifications.
public struct QuayHook: HookSource {
  public var name: String { "quay" }

  let secrets: SharedSecrets

  public init(secrets: [String]) {
    self.secrets = SharedSecrets(secrets, source: "quay")
  }

  public func handle(_ request: HookRequest) throws(HookRejection) -> HookOutcome {
    try secrets.authenticatePath(request)
    let payload = try HookParsing.object(request.body)
    guard let url = payload["docker_url"].stringValue, !url.isEmpty else { throw .malformed("docker_url is missing") }
    let tags: [String]
    switch payload["updated_tags"] {
    case .array(let list):
      tags = try list.map { value throws(HookRejection) in
        guard let t = value.stringValue else { throw .malformed("updated_tags holds a non-string") }
        return t
      }
    case .object(let map): tags = map.keys.sorted()
    case .null: tags = []
    default: throw .malformed("updated_tags is neither a list nor an object")
    }
    guard !tags.isEmpty else { return HookParsing.ignored("no updated tags; ignored") }
    let base = HookParsing.bodyID(request.body)
    let events = try tags.map { tag throws(HookRejection) in
      try HookParsing.event(repository: url, tag: tag, digest: nil, action: .push, source: "quay", deliveryID: "\(base)#\(tag)", now: request.now)
    }
    return .events(events)
  }
}
