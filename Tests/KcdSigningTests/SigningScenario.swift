import KcdCore
import KcdRegistry
import KcdTestSupport

@testable import KcdSigning

/// A docker-registry holding, under `team/app`, an image (`v1`), another image (`v2`) and a
/// two-platform index (`multi`), all pushed by skopeo; signatures are added with plain
/// distribution-API calls, and read back by `SignatureVerifier` through `OCIRegistryClient`.
final class SigningScenario: @unchecked Sendable {
  let registry: DistributionRegistry
  let image = TestImage(content: "signed")
  let other = TestImage(content: "other")
  let index = TestIndex([TestImage(content: "multi-amd64", architecture: "amd64"), TestImage(content: "multi-arm64", architecture: "arm64")])
  let upload: RegistryUpload
  let verifier: SignatureVerifier
  let workshop: OpenSSLWorkshop
  /// The key most tests sign with; `policy` trusts it.
  let key: OpenSSLWorkshop.Key

  init() throws {
    workshop = try OpenSSLWorkshop()
    key = try workshop.key()
    registry = try DistributionRegistry()
    let layout = registry.directory + "/layout"
    try OCILayout.write(layout, images: [("a", image), ("b", other)], indexes: [("multi", index)])
    try registry.push(layout: layout, name: "a", tag: "v1")
    try registry.push(layout: layout, name: "b", tag: "v2")
    try registry.push(layout: layout, name: "multi", tag: "multi")
    upload = RegistryUpload(registry)
    var options = OCIRegistryClient.Options()
    options.credentials.set(.basic(username: DistributionRegistry.username, password: DistributionRegistry.password), forHost: registry.host)
    verifier = SignatureVerifier(fetcher: OCIRegistryClient(options: options))
  }

  var repository: String { "\(registry.host)/team/app" }

  func verify(_ digest: String, _ policy: SignaturePolicy, now: Double = Timestamps.now()) -> SignatureVerdict {
    verifier.verify(repository: repository, digest: digest, policy: policy, now: now)
  }

  var policy: SignaturePolicy { .publicKey(pem: key.publicPEM) }

  /// Legacy layers under `sha256-<hex>.sig` of `digest`.
  func publishLegacy(_ layers: [(payload: [UInt8], annotations: [String: String])], for digest: String) throws {
    try upload.legacySignatures(SignatureArtifacts.legacyManifest(layers), for: digest)
  }

  /// A bundle referrer of one of the scenario's manifests (its size and media type as subject).
  func publishBundle(_ bundle: [UInt8], for digest: String) throws {
    let subjects = [(image.digest, image.manifest.count, ManifestType.oci), (other.digest, other.manifest.count, ManifestType.oci),
                    (index.digest, index.index.count, ManifestType.index)]
    guard let (_, size, type) = subjects.first(where: { $0.0 == digest }) else { throw TestFailure("no manifest \(digest) in the scenario") }
    try upload.bundleReferrer(bundle, for: digest, subjectSize: size, subjectType: type)
  }
}

enum ManifestType {
  static let oci = "application/vnd.oci.image.manifest.v1+json"
  static let index = "application/vnd.oci.image.index.v1+json"
}

/// Asserting a verdict's kind and the words of its reason.
enum Verdict {
  static func isVerified(_ verdict: SignatureVerdict, _ words: String) -> Bool {
    if case .verified(let text) = verdict { return text.contains(words) }
    return false
  }

  static func isRejected(_ verdict: SignatureVerdict, _ words: String) -> Bool {
    if case .rejected(let text) = verdict { return text.contains(words) }
    return false
  }

  static func isUnavailable(_ verdict: SignatureVerdict, _ words: String) -> Bool {
    if case .unavailable(let text) = verdict { return text.contains(words) }
    return false
  }
}
