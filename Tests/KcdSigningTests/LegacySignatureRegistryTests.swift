import KcdCore
import KcdRegistry
import KcdTestSupport
import Testing

@testable import KcdSigning

/// cosign's legacy `.sig` layout against Debian's docker-registry, with keys made by openssl.
@Suite(.timeLimit(.minutes(3)))
struct LegacySignatureRegistryTests {
  @Test("(a) a good ECDSA P-256 signature of the digest verifies; the reason names the tag, layer and key")
  func goodSignature() throws {
    let s = try SigningScenario()
    try s.publishLegacy([try s.workshop.legacyLayer(naming: s.image.digest, key: s.key)], for: s.image.digest)
    let verdict = s.verify(s.image.digest, s.policy)
    #expect(Verdict.isVerified(verdict, "cosign signature (tag sha256-\(s.image.digest.dropFirst(7)).sig, layer 1) verified with the configured ECDSA P-256 public key"), "\(verdict)")
  }

  @Test("(b) no .sig tag and no referrers: rejected, no signature")
  func missingSignature() throws {
    let s = try SigningScenario()
    #expect(Verdict.isRejected(s.verify(s.image.digest, s.policy), "no signature found for \(s.repository)@"))
  }

  @Test("(c) a signature by another key is rejected, whichever of several layers it is")
  func wrongKey() throws {
    let s = try SigningScenario()
    let signer = try s.workshop.key()
    try s.publishLegacy([try s.workshop.legacyLayer(naming: s.image.digest, key: signer), try s.workshop.legacyLayer(naming: s.image.digest, key: signer)], for: s.image.digest)
    let verdict = s.verify(s.image.digest, s.policy)
    for layer in ["layer 1", "layer 2"] {
      #expect(Verdict.isRejected(verdict, "\(layer)): the signature does not verify with the configured public key"), "\(verdict)")
    }
  }

  @Test("(d) a valid signature of another digest copied under this digest's .sig tag is rejected")
  func signatureOfAnotherDigest() throws {
    let s = try SigningScenario()
    let layer = try s.workshop.legacyLayer(naming: s.other.digest, key: s.key)
    try s.publishLegacy([layer], for: s.other.digest)
    #expect(s.verify(s.other.digest, s.policy).isVerified)
    // The attacker re-tags B's signature manifest as A's.
    try s.publishLegacy([layer], for: s.image.digest)
    #expect(Verdict.isRejected(s.verify(s.image.digest, s.policy), "signed another digest"))
  }

  @Test("(g) a multi-arch index signed on its index digest verifies; its platform manifests are not signed and are refused")
  func multiArchIndex() throws {
    let s = try SigningScenario()
    try s.publishLegacy([try s.workshop.legacyLayer(naming: s.index.digest, key: s.key)], for: s.index.digest)
    #expect(Verdict.isVerified(s.verify(s.index.digest, s.policy), "verified with the configured"))
    #expect(Verdict.isRejected(s.verify(s.index.images[0].digest, s.policy), "no signature found"))
  }

  @Test("(h) a registry that is down leaves the verdict unavailable, never verified")
  func registryDown() throws {
    let key = try OpenSSLWorkshop().key()
    let port = try Tools.freePort()
    let verdict = SignatureVerifier(fetcher: OCIRegistryClient())
      .verify(repository: "127.0.0.1:\(port)/team/app", digest: TestImage(content: "x").digest, policy: .publicKey(pem: key.publicPEM), now: Timestamps.now())
    #expect(Verdict.isUnavailable(verdict, "cannot reach registry 127.0.0.1:\(port)"), "\(verdict)")
  }

  @Test("RSA and Ed25519 public keys verify too; a P-384 key or garbage is refused as a policy")
  func otherKeyTypes() throws {
    let s = try SigningScenario()
    let (rsa, ed25519) = (try s.workshop.key("rsa"), try s.workshop.key("ed25519"))
    try s.publishLegacy([try s.workshop.legacyLayer(naming: s.image.digest, key: rsa), try s.workshop.legacyLayer(naming: s.image.digest, key: ed25519)], for: s.image.digest)
    #expect(Verdict.isVerified(s.verify(s.image.digest, .publicKey(pem: rsa.publicPEM)), "layer 1) verified with the configured RSA public key"))
    #expect(Verdict.isVerified(s.verify(s.image.digest, .publicKey(pem: ed25519.publicPEM)), "layer 2) verified with the configured Ed25519 public key"))
    let p384 = try s.workshop.key("ec384")
    #expect(Verdict.isRejected(s.verify(s.image.digest, .publicKey(pem: p384.publicPEM)), "signature policy refused: the configured public key is unusable: the ECDSA key is not on P-256"))
    #expect(Verdict.isRejected(s.verify(s.image.digest, .publicKey(pem: "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")), "signature policy refused"))
    #expect(Verdict.isRejected(s.verify("latest", s.policy), "is not a sha256 digest"))
  }

  @Test("keyless in the legacy layout: certificate, chain and Rekor bundle annotations verify; the identity must match")
  func keylessLegacy() throws {
    let s = try SigningScenario()
    let sigstore = try TestSigstore(s.workshop)
    let leaf = try sigstore.leaf(san: "email:release@example.com", issuer: "https://accounts.example.com", issuerExtension: .v1)
    try s.publishLegacy([try sigstore.legacyLayer(digest: s.image.digest, leaf: leaf, integratedTime: Int64(Timestamps.now()))], for: s.image.digest)
    let root = sigstore.trustedRoot()
    let good = s.verify(s.image.digest, .keyless(trustedRoot: root, issuer: .exact("https://accounts.example.com"), subject: .exact("release@example.com")))
    #expect(Verdict.isVerified(good, "verified keyless: issuer https://accounts.example.com, subject release@example.com, logged by \(sigstore.logURL) at index 9"), "\(good)")
    let wrongSubject = s.verify(s.image.digest, .keyless(trustedRoot: root, issuer: .exact("https://accounts.example.com"), subject: .pattern(".*@corp\\.example")))
    #expect(Verdict.isRejected(wrongSubject, "the certificate's subject \"release@example.com\" does not match pattern /.*@corp\\.example/"), "\(wrongSubject)")
    // A public-key policy reads the same signature without its keyless annotations.
    #expect(Verdict.isVerified(s.verify(s.image.digest, .publicKey(pem: leaf.key.publicPEM)), "verified with the configured ECDSA P-256 public key"))
  }

  @Test("keyless legacy signatures without a Rekor bundle annotation are rejected: no log promise")
  func keylessLegacyWithoutPromise() throws {
    let s = try SigningScenario()
    let sigstore = try TestSigstore(s.workshop)
    let leaf = try sigstore.leaf(san: "email:release@example.com", issuer: "https://accounts.example.com")
    try s.publishLegacy([try sigstore.legacyLayer(digest: s.image.digest, leaf: leaf, integratedTime: Int64(Timestamps.now()), promise: .missing)], for: s.image.digest)
    let verdict = s.verify(s.image.digest, .keyless(trustedRoot: sigstore.trustedRoot(), issuer: .exact("https://accounts.example.com"), subject: .exact("release@example.com")))
    #expect(Verdict.isRejected(verdict, "no transparency-log promise"), "\(verdict)")
  }
}
