import KcdCore
import KcdCrypto
import KcdTestSupport
import Testing

@testable import KcdSigning

/// cosign v3's layout — Sigstore bundle v0.3 referrers — against Debian's docker-registry 2.8,
/// which has no referrers API: the referrers tag `sha256-<hex>` lists the bundles.
@Suite(.timeLimit(.minutes(3)))
struct BundleRegistryTests {
  /// A scenario where the manifest `listed` picks has a DSSE bundle, signed with the scenario's
  /// key, over a statement naming the digest `named` picks.
  static func scenario(naming named: (SigningScenario) -> String, listedUnder listed: (SigningScenario) -> String, overPAE: Bool = true) throws -> SigningScenario {
    let s = try SigningScenario()
    try s.publishBundle(try s.workshop.dsseBundle(naming: named(s), key: s.key, overPAE: overPAE), for: listed(s))
    return s
  }

  @Test("(e) a DSSE bundle signed with the key, found through the referrers tag, verifies; another key is rejected")
  func dsseBundleWithKey() throws {
    let s = try Self.scenario(naming: { $0.image.digest }, listedUnder: { $0.image.digest })
    let verdict = s.verify(s.image.digest, s.policy)
    #expect(Verdict.isVerified(verdict, "Sigstore bundle (tag sha256-\(s.image.digest.dropFirst(7)), referrer sha256:"), "\(verdict)")
    #expect(Verdict.isVerified(verdict, "verified with the configured ECDSA P-256 public key"), "\(verdict)")
    let other = s.verify(s.image.digest, .publicKey(pem: try s.workshop.key().publicPEM))
    #expect(Verdict.isRejected(other, "the signature does not verify with the configured public key"), "\(other)")
  }

  @Test("a DSSE signature over the bare payload instead of the PAE is rejected")
  func signatureOverPayloadNotPAE() throws {
    let s = try Self.scenario(naming: { $0.image.digest }, listedUnder: { $0.image.digest }, overPAE: false)
    #expect(Verdict.isRejected(s.verify(s.image.digest, s.policy), "does not verify"))
  }

  @Test("a bundle whose statement names another digest, listed as this digest's referrer, is rejected")
  func bundleForAnotherDigest() throws {
    let s = try Self.scenario(naming: { $0.other.digest }, listedUnder: { $0.image.digest })
    #expect(Verdict.isRejected(s.verify(s.image.digest, s.policy), "signed another digest"))
  }

  @Test("a message-signature bundle over the manifest bytes verifies; listed under another image it does not")
  func messageSignatureBundle() throws {
    let s = try SigningScenario()
    let bundle = SignatureArtifacts.messageBundle(digest: Digest.sha256(s.image.manifest), signature: try s.workshop.sign(s.image.manifest, with: s.key))
    try s.publishBundle(bundle, for: s.image.digest)
    #expect(Verdict.isVerified(s.verify(s.image.digest, s.policy), "verified with the configured"))
    try s.publishBundle(bundle, for: s.other.digest)
    #expect(Verdict.isRejected(s.verify(s.other.digest, s.policy), "does not verify"))
  }

  @Test("(g) an index signed with a bundle on its index digest verifies; a platform digest is refused")
  func multiArchBundle() throws {
    let s = try Self.scenario(naming: { $0.index.digest }, listedUnder: { $0.index.digest })
    #expect(s.verify(s.index.digest, s.policy).isVerified)
    #expect(Verdict.isRejected(s.verify(s.index.images[1].digest, s.policy), "no signature found"))
  }
}
