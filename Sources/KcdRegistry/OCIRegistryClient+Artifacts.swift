import KcdCrypto
import KcdHTTP
import KcdHooks

extension OCIRegistryClient {
  /// A blob by digest (`GET /v2/<name>/blobs/<digest>`), refused unless its SHA-256 is that
  /// digest. Registries that keep blobs in object storage answer with a redirect: it is
  /// followed (three hops at most), and our `Authorization` goes to the registry only.
  public func blob(repository: String, digest: String, maximumBytes: Int = 4 << 20) throws(RegistryError) -> [UInt8] {
    let name = try ImageName(repository)
    guard RepositoryName.isValidDigest(digest) else { throw RegistryError(.invalidReference, "\"\(digest)\" is not a sha256 digest") }
    let base = baseURL(name)
    let scope = OCIRegistryClient.pullScope(name)
    var url = base + "/v2/" + name.path + "/blobs/" + digest
    var response = try registryRequest("GET", name, url: url, scope: scope, maximumBodyBytes: maximumBytes)
    var hops = 0
    while [301, 302, 303, 307, 308].contains(response.status) {
      guard hops < 3, let location = response.headers["Location"]?.trimmingSpaces(), !location.isEmpty else {
        throw RegistryError(.badResponse, "\(name.registry) redirected blob \(digest) of \(name.path) too often or without a Location", status: response.status)
      }
      hops += 1
      if location.hasPrefix("http://") || location.hasPrefix("https://"), location != base, !location.hasPrefix(base + "/") {
        url = location
        var request = HTTPClientRequest(method: "GET", url: url)
        request.timeout = options.timeout
        request.maximumBodyBytes = maximumBytes
        response = try exchange(request, registry: name.registry)
      } else {
        url = try OCIRegistryClient.resolveLink(location, base: base, current: url, registry: name.registry)
        response = try registryRequest("GET", name, url: url, scope: scope, maximumBodyBytes: maximumBytes)
      }
    }
    guard response.status == 200 else { throw failure(response, name, "blob \(digest) of \(name.path)") }
    let actual = "sha256:" + Digest.hex(Digest.sha256(response.body))
    guard actual == digest else {
      throw RegistryError(.digestMismatch, "\(name.registry) sent a blob for \(name.path)@\(digest) whose sha256 is \(actual)")
    }
    return response.body
  }

  /// The OCI 1.1 referrers index of a manifest (`GET /v2/<name>/referrers/<digest>`), bytes as
  /// sent, optionally filtered by `artifactType` (a registry may ignore the filter). Nil when
  /// the registry has no referrers API (404, or 400/405/501 from registries that do not route
  /// the path): the caller then reads the referrers tag `sha256-<hex>` instead.
  public func referrers(repository: String, digest: String, artifactType: String? = nil, maximumBytes: Int = 4 << 20) throws(RegistryError) -> [UInt8]? {
    let name = try ImageName(repository)
    guard RepositoryName.isValidDigest(digest) else { throw RegistryError(.invalidReference, "\"\(digest)\" is not a sha256 digest") }
    var url = baseURL(name) + "/v2/" + name.path + "/referrers/" + digest
    if let artifactType { url += "?artifactType=" + PercentDecoding.encode(artifactType) }
    var headers = HTTPHeaders()
    headers.set("Accept", ManifestMediaType.ociIndex)
    let response = try registryRequest("GET", name, url: url, scope: OCIRegistryClient.pullScope(name), headers: headers, maximumBodyBytes: maximumBytes)
    if [400, 404, 405, 501].contains(response.status) { return nil }
    guard response.status == 200 else { throw failure(response, name, "referrers of \(name.path)@\(digest)") }
    return response.body
  }
}
