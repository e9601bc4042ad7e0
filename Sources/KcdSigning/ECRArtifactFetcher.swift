import KcdCore
import KcdRegistry
import Synchronization

/// Signatures stored in Amazon ECR. ECR's own API serves manifests but hands blobs out as S3
/// links; ECR's registry endpoint, though, is a distribution-API registry that takes the
/// token of `GetAuthorizationToken` as a Basic credential. So artifacts are read there, by
/// kcd's distribution-API client, with that token: asked for when first needed and again once
/// it has expired (ECR's last 12 hours). The ECR client's own credentials (the pod's AWS
/// identity) are what obtain the token; the token never leaves this object.
public final class ECRArtifactFetcher: ArtifactFetcher {
  let ecr: ECRClient
  let base: OCIRegistryClient.Options
  let now: @Sendable () -> Double
  /// The registry endpoint's client per ECR registry (account and region), with its token's expiry.
  let sessions = Mutex<[String: (client: OCIRegistryClient, host: String, expires: Double)]>([:])

  public init(ecr: ECRClient, base: OCIRegistryClient.Options = OCIRegistryClient.Options(), now: @escaping @Sendable () -> Double = Timestamps.now) {
    self.ecr = ecr
    self.base = base
    self.now = now
  }

  /// The distribution-API client for `repository`'s registry and the name there.
  func registry(_ repository: String) throws(ArtifactFetchError) -> (client: OCIRegistryClient, repository: String) {
    let ecrRepository: ECRRepository
    do { ecrRepository = try ECRRepository(repository: repository) } catch { throw ArtifactFetchError(.invalid, "\(repository) is not an ECR repository: \(error)") }
    let key = ecrRepository.host
    let t = now()
    if let s = sessions.withLock({ $0[key] }), s.expires > t { return (s.client, s.host + "/" + ecrRepository.name) }
    let data: ECRAuthorizationData
    do { data = try ecr.getAuthorizationToken(ecrRepository) } catch {
      throw ArtifactFetchError(.unavailable, "cannot get an ECR authorization token for \(ecrRepository.host): \(error.message)")
    }
    let host = ECRArtifactFetcher.host(of: data.proxyEndpoint) ?? ecrRepository.host
    var options = base
    options.credentials.set(data.credential, forHost: host)
    let client = OCIRegistryClient(options: options)
    // Renewed five minutes before ECR says it expires; a token without an expiry serves one check.
    let expires = (data.expiresAt ?? t) - 300
    sessions.withLock { $0[key] = (client, host, expires) }
    return (client, host + "/" + ecrRepository.name)
  }

  /// `https://host[:port][/]` → `host[:port]`.
  static func host(of endpoint: String) -> String? {
    var s = Substring(endpoint)
    if let scheme = s.firstRange(of: "://") { s = s[scheme.upperBound...] }
    let host = s.prefix { $0 != "/" }
    return host.isEmpty ? nil : String(host)
  }

  public func fetchManifest(repository: String, reference: String, maximumBytes: Int) throws(ArtifactFetchError) -> ManifestContent? {
    let r = try registry(repository)
    return try r.client.fetchManifest(repository: r.repository, reference: reference, maximumBytes: maximumBytes)
  }

  public func fetchBlob(repository: String, digest: String, maximumBytes: Int) throws(ArtifactFetchError) -> [UInt8]? {
    let r = try registry(repository)
    return try r.client.fetchBlob(repository: r.repository, digest: digest, maximumBytes: maximumBytes)
  }

  public func fetchReferrers(repository: String, digest: String, artifactType: String?, maximumBytes: Int) throws(ArtifactFetchError) -> [UInt8]? {
    let r = try registry(repository)
    return try r.client.fetchReferrers(repository: r.repository, digest: digest, artifactType: artifactType, maximumBytes: maximumBytes)
  }
}
