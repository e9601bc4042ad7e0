import KcdController
import KcdCore
import KcdCrypto
import KcdRegistry
import Synchronization

/// kcd's `ImageResolver`: a registry client per host (ECR's own API for ECR hosts) with
/// credentials from the config file and the workloads' pull secrets. Clients are kept per set
/// of credentials so their token caches survive between look-ups.
final class RegistryResolver: ImageResolver {
  let base: OCIRegistryClient.Options
  let configured: @Sendable () -> RegistryCredentials
  /// Pull-secret credentials for (repository, namespace).
  let pullSecrets: (@Sendable (String, String) -> RegistryCredentials)?
  let ecr: (@Sendable (ImageName) throws(RegistryError) -> any RegistryClient)?
  let factories = Mutex<[String: RegistryClientFactory]>([:])

  init(base: OCIRegistryClient.Options, configured: @escaping @Sendable () -> RegistryCredentials,
       pullSecrets: (@Sendable (String, String) -> RegistryCredentials)?, ecr: (@Sendable (ImageName) throws(RegistryError) -> any RegistryClient)?) {
    self.base = base
    self.configured = configured
    self.pullSecrets = pullSecrets
    self.ecr = ecr
  }

  func factory(for repository: String, namespace: String) -> RegistryClientFactory {
    var credentials = configured()
    if let more = pullSecrets?(repository, namespace) { credentials = credentials.merging(more) }
    // The key is a digest of the credentials, so no secret is kept as a dictionary key.
    let fingerprint = Digest.hex(Digest.sha256(Array(credentials.byHost.keys.sorted().map { host -> String in
      switch credentials.byHost[host]! {
      case .basic(let u, let p): return "\(host)\u{0}b\u{0}\(u)\u{0}\(p)"
      case .identityToken(let t): return "\(host)\u{0}i\u{0}\(t)"
      case .registryToken(let t): return "\(host)\u{0}r\u{0}\(t)"
      }
    }.joined(separator: "\u{1}").utf8)))
    return factories.withLock { f in
      if let existing = f[fingerprint] { return existing }
      var options = base
      options.credentials = credentials
      let made = RegistryClientFactory(oci: OCIRegistryClient(options: options), ecr: ecr)
      if f.count > 64 { f.removeAll() }
      f[fingerprint] = made
      return made
    }
  }

  func digest(repository: String, tag: String, namespace: String) throws -> String {
    try factory(for: repository, namespace: namespace).client(for: repository).resolve(repository: repository, tag: tag).digest
  }

  func tags(repository: String, namespace: String) throws -> [String] {
    try factory(for: repository, namespace: namespace).client(for: repository).tags(repository: repository)
  }

  func tags(repository: String, pointingAt digest: String, namespace: String) -> [String]? {
    // Only ECR answers this cheaply; do not even gather credentials for other registries.
    guard (try? ImageName(repository))?.isECR == true,
      let client = try? factory(for: repository, namespace: namespace).client(for: repository) as? any DigestTagLister
    else { return nil }
    return try? client.tags(repository: repository, pointingAt: digest)
  }
}

/// Registries that can say cheaply which tags point at a digest (ECR's DescribeImages).
protocol DigestTagLister: Sendable {
  func tags(repository: String, pointingAt digest: String) throws -> [String]
}

/// ECR's DescribeImages answers "which tags point at this digest" in one call.
extension ECRClient: DigestTagLister {}
