import KcdJSON

/// `POST /hooks/dockerhub/<token>`: Docker Hub push webhooks. Docker Hub signs nothing and can
/// send no header, so the secret is the path token; the event is a hint without a digest, which
/// the controller resolves from the registry before acting.
///
/// - `secrets`: the lines of the `dockerhub` secret file, each an accepted path token (use
///   ≥ 128 random bits).
///
/// Docker Hub sends no delivery id; the id is the SHA-256 of the body, so a re-sent identical
/// body is a duplicate. It sends no deletes either: every accepted body is one push.
public struct DockerHubHook: HookSource {
  public var name: String { "dockerhub" }

  let secrets: SharedSecrets

  public init(secrets: [String]) {
    self.secrets = SharedSecrets(secrets, source: "dockerhub")
  }

  public func handle(_ request: HookRequest) throws(HookRejection) -> HookOutcome {
    try secrets.authenticatePath(request)
    let payload = try HookParsing.object(request.body)
    guard let name = payload["repository"]["repo_name"].stringValue, !name.isEmpty else {
      throw .malformed("repository.repo_name is missing")
    }
    guard payload["push_data"].objectValue != nil else { throw .malformed("push_data is missing") }
    guard let tag = payload["push_data"]["tag"].stringValue, !tag.isEmpty else {
      return HookParsing.ignored("push without a tag; ignored")
    }
    // repo_name never includes the host; official images are `library/<name>` (or bare).
    return .events([try HookParsing.event(repository: "\(RepositoryName.dockerHub)/\(name)", tag: tag, digest: nil, action: .push,
                                          source: "dockerhub", deliveryID: HookParsing.bodyID(request.body), now: request.now)])
  }
}
