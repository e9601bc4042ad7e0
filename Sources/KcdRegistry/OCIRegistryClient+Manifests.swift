import KcdCrypto
import KcdHTTP
import KcdHooks
import KcdJSON

extension OCIRegistryClient {
  /// Tag (or digest) → digest with `HEAD /v2/<name>/manifests/<tag>`, all four manifest types
  /// accepted. `HEAD` does not count as a pull on Docker Hub. A registry that leaves out
  /// `Docker-Content-Digest` gets a `GET`, and the digest is computed over the bytes received.
  public func resolve(repository: String, tag: String) throws(RegistryError) -> ResolvedManifest {
    let name = try ImageName(repository)
    try OCIRegistryClient.checkReference(tag)
    let response = try registryRequest("HEAD", name, url: manifestURL(name, tag), scope: OCIRegistryClient.pullScope(name), headers: OCIRegistryClient.acceptManifests)
    guard response.status == 200 else { throw failure(response, name, OCIRegistryClient.display(name, tag)) }
    if let digest = response.headers["Docker-Content-Digest"]?.trimmingSpaces(), RepositoryName.isValidDigest(digest) {
      return ResolvedManifest(digest: digest, mediaType: OCIRegistryClient.mediaType(response.headers))
    }
    let content = try manifest(repository: repository, reference: tag)
    return ResolvedManifest(digest: content.digest, mediaType: content.mediaType)
  }

  /// The manifest exactly as sent (`GET`; counts as a pull on Docker Hub). The digest is
  /// computed over the received bytes and must match `Docker-Content-Digest` and a digest
  /// reference when there is one. A longer body than `maximumBytes` is refused (`too_large`).
  public func manifest(repository: String, reference: String, maximumBytes: Int = 4 << 20) throws(RegistryError) -> ManifestContent {
    let name = try ImageName(repository)
    try OCIRegistryClient.checkReference(reference)
    let response = try registryRequest(
      "GET", name, url: manifestURL(name, reference), scope: OCIRegistryClient.pullScope(name), headers: OCIRegistryClient.acceptManifests,
      maximumBodyBytes: maximumBytes)
    guard response.status == 200 else { throw failure(response, name, OCIRegistryClient.display(name, reference)) }
    let digest = "sha256:" + Digest.hex(Digest.sha256(response.body))
    if let sent = response.headers["Docker-Content-Digest"]?.trimmingSpaces(), sent.hasPrefix("sha256:"), sent != digest {
      throw RegistryError(.digestMismatch, "\(name.registry) sent a manifest for \(name.path):\(reference) whose sha256 is \(digest), not the \(sent) it announced")
    }
    if reference.hasPrefix("sha256:"), reference != digest {
      throw RegistryError(.digestMismatch, "\(name.registry) sent a manifest for \(name.path)@\(reference) whose sha256 is \(digest)")
    }
    var mediaType = OCIRegistryClient.mediaType(response.headers)
    if !ManifestMediaType.all.contains(mediaType), let declared = (try? JSON.parse(response.body))?["mediaType"].stringValue {
      mediaType = declared
    }
    return ManifestContent(bytes: response.body, mediaType: mediaType, digest: digest)
  }

  /// Stores `bytes` under `tag` (`PUT /v2/<name>/manifests/<tag>`); the same bytes as an
  /// existing manifest add a tag to it without changing its digest. Returns the digest.
  @discardableResult
  public func putManifest(repository: String, tag: String, bytes: [UInt8], mediaType: String) throws(RegistryError) -> String {
    let name = try ImageName(repository)
    guard RepositoryName.isValidTag(tag) else { throw RegistryError(.invalidReference, "\"\(tag)\" is not a valid tag") }
    var headers = HTTPHeaders()
    headers.set("Content-Type", mediaType)
    let response = try registryRequest("PUT", name, url: manifestURL(name, tag), scope: OCIRegistryClient.pushScope(name), headers: headers, body: bytes)
    guard (200..<300).contains(response.status) else { throw failure(response, name, "\(name.path):\(tag)") }
    let digest = "sha256:" + Digest.hex(Digest.sha256(bytes))
    if let stored = response.headers["Docker-Content-Digest"]?.trimmingSpaces(), stored.hasPrefix("sha256:"), stored != digest {
      throw RegistryError(.digestMismatch, "\(name.registry) stored \(name.path):\(tag) as \(stored), not as the \(digest) we sent")
    }
    return digest
  }

  /// Adds tags the distribution-API way: read the manifest of `version` and put the very same
  /// bytes under each tag. All tags are checked before anything is written.
  public func addTags(repository: String, version: String, tags: [String]) throws(RegistryError) {
    for tag in tags where !RepositoryName.isValidTag(tag) { throw RegistryError(.invalidReference, "\"\(tag)\" is not a valid tag") }
    let content = try manifest(repository: repository, reference: version)
    for tag in tags {
      try putManifest(repository: repository, tag: tag, bytes: content.bytes, mediaType: content.mediaType)
    }
  }

  /// The distribution API deletes manifests by digest, which removes every tag on them; it
  /// has no call that removes one tag. Refused rather than approximated.
  public func removeTag(repository: String, tag: String) throws(RegistryError) {
    let name = try ImageName(repository)
    throw RegistryError(.unsupported, "cannot remove tag \(tag) of \(name.canonical): this registry's API cannot delete a tag; delete the manifest by digest or use the registry's own API")
  }

  /// `team/app:v1` or `team/app@sha256:…` for messages.
  static func display(_ name: ImageName, _ reference: String) -> String {
    name.path + (reference.hasPrefix("sha256:") ? "@" : ":") + reference
  }

  func manifestURL(_ name: ImageName, _ reference: String) -> String {
    baseURL(name) + "/v2/" + name.path + "/manifests/" + reference
  }

  static var acceptManifests: HTTPHeaders {
    var headers = HTTPHeaders()
    headers.set("Accept", ManifestMediaType.acceptHeader)
    return headers
  }

  /// `Content-Type` without parameters (`; charset=utf-8`).
  static func mediaType(_ headers: HTTPHeaders) -> String {
    guard let value = headers["Content-Type"] else { return "" }
    return String(value.split(separator: ";").first ?? "").trimmingSpaces()
  }

  /// A tag or a `sha256:` digest; anything else could change the URL path.
  static func checkReference(_ reference: String) throws(RegistryError) {
    guard RepositoryName.isValidTag(reference) || RepositoryName.isValidDigest(reference) else {
      throw RegistryError(.invalidReference, "\"\(reference)\" is neither a valid tag nor a sha256 digest")
    }
  }
}
