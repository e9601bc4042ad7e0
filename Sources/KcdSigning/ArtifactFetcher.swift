import KcdRegistry

/// What the verifier reads from a registry. Implementations block the calling thread, return
/// bytes exactly as received (digests are over them), stop reading past `maximumBytes`, and
/// answer nil for "does not exist" — never an empty document. The verifier re-checks every
/// digest itself, so an implementation cannot make a tampered document pass.
public protocol ArtifactFetcher: Sendable {
  /// The manifest or index that `reference` (a tag or a `sha256:` digest) names, with the media
  /// type the registry reported and the SHA-256 of the bytes; nil when it does not exist.
  func fetchManifest(repository: String, reference: String, maximumBytes: Int) throws(ArtifactFetchError) -> ManifestContent?

  /// A blob by digest; nil when the registry says it does not exist.
  func fetchBlob(repository: String, digest: String, maximumBytes: Int) throws(ArtifactFetchError) -> [UInt8]?

  /// The OCI 1.1 referrers index of `digest` (an image index of descriptors), optionally
  /// filtered by `artifactType`; nil when the registry has no referrers API, in which case the
  /// verifier reads the referrers tag `sha256-<hex>` instead.
  func fetchReferrers(repository: String, digest: String, artifactType: String?, maximumBytes: Int) throws(ArtifactFetchError) -> [UInt8]?
}

/// Why a registry read failed. `unavailable`: the registry could not be read now (network,
/// 5xx, throttling, credentials) — worth retrying. `invalid`: it answered with something
/// unusable (too large, wrong digest, malformed) — that signature cannot pass.
public struct ArtifactFetchError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable { case unavailable, invalid }

  public let kind: Kind
  public let message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}
