/// What kcd needs from any registry (the `kcd registry` commands, the fallback poller, CI
/// tagging). Implemented by `OCIRegistryClient` (the distribution API) and by the ECR client
/// (ECR's own API), chosen per host by `RegistryClientFactory`.
public protocol RegistryClient: Sendable {
  /// What a tag points at now.
  func resolve(repository: String, tag: String) throws(RegistryError) -> ResolvedManifest
  /// Every tag of the repository, in the registry's order.
  func tags(repository: String) throws(RegistryError) -> [String]
  /// The tags that point at the same manifest as tag `version` (including `version`).
  func tags(repository: String, sameDigestAs version: String) throws(RegistryError) -> [String]
  /// Points each of `tags` at the manifest tag `version` points at (creating or moving them).
  func addTags(repository: String, version: String, tags: [String]) throws(RegistryError)
  /// Deletes a tag, leaving the manifest (and its other tags) in place.
  func removeTag(repository: String, tag: String) throws(RegistryError)
}

/// A tag resolved to the manifest it names: the digest to deploy and what kind of manifest
/// it is (an index/list digest is the one to pin for multi-arch images).
public struct ResolvedManifest: Sendable, Equatable {
  /// `sha256:<64 hex>`.
  public let digest: String
  /// The `Content-Type` the registry reported, parameters dropped (empty when none was given).
  public let mediaType: String

  public init(digest: String, mediaType: String) {
    self.digest = digest
    self.mediaType = mediaType
  }
}

/// A manifest exactly as the registry sent it: `bytes` are never re-serialised, because the
/// digest is over these bytes.
public struct ManifestContent: Sendable, Equatable {
  public let bytes: [UInt8]
  public let mediaType: String
  public let digest: String

  public init(bytes: [UInt8], mediaType: String, digest: String) {
    self.bytes = bytes
    self.mediaType = mediaType
    self.digest = digest
  }
}

/// The four manifest media types kcd accepts; all are sent in `Accept` so the registry never
/// falls back to a schema1 or single-platform manifest with a different digest.
public enum ManifestMediaType {
  public static let ociIndex = "application/vnd.oci.image.index.v1+json"
  public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
  public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
  public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"

  public static let all = [ociIndex, ociManifest, dockerManifestList, dockerManifest]
  public static let acceptHeader = all.joined(separator: ", ")

  /// Whether the manifest lists per-platform manifests (the digest to pin for multi-arch).
  public static func isIndex(_ mediaType: String) -> Bool { mediaType == ociIndex || mediaType == dockerManifestList }
}

/// Picks the client for a repository's host: ECR hosts go to the ECR client when one is
/// plugged in (`ecr`), every other host to the OCI distribution client.
public struct RegistryClientFactory: Sendable {
  public let oci: OCIRegistryClient
  /// Builds the ECR client for an ECR image name; nil while none is plugged in.
  public var ecr: (@Sendable (ImageName) throws(RegistryError) -> any RegistryClient)?

  public init(oci: OCIRegistryClient, ecr: (@Sendable (ImageName) throws(RegistryError) -> any RegistryClient)? = nil) {
    self.oci = oci
    self.ecr = ecr
  }

  public func client(for repository: String) throws(RegistryError) -> any RegistryClient {
    let name = try ImageName(repository)
    guard name.isECR else { return oci }
    guard let ecr else {
      throw RegistryError(.unsupported, "\(name.registry) is an Amazon ECR registry; ECR support is not built into this kcd")
    }
    return try ecr(name)
  }
}
