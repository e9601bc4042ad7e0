import KcdCore
import KcdCrypto
import KcdJSON
import KcdTestSupport
import Testing

@testable import KcdSigning

/// Bounds and refusals for hostile registries and signatures: nothing over a limit is read or
/// trusted, nothing malformed passes, reasons stay short.
@Suite struct HostileInputTests {
  static let digest = TestImage(content: "hostile").digest

  static func verify(_ fetcher: FakeFetcher, _ policy: SignaturePolicy, limits: SignatureLimits = SignatureLimits()) -> SignatureVerdict {
    SignatureVerifier(fetcher: fetcher, limits: limits).verify(repository: "r.example/app", digest: digest, policy: policy, now: Timestamps.now())
  }

  @Test("a .sig manifest with 40 bad layers: 16 are tried, the rest counted, not read")
  func signatureLimit() throws {
    let workshop = try OpenSSLWorkshop()
    let key = try workshop.key()
    let fetcher = FakeFetcher()
    let layers = (0..<40).map { i in (SignatureArtifacts.simpleSigningPayload(digest: Self.digest, reference: "r/\(i)"), ["dev.cosignproject.cosign/signature": "MEUCIQ=="]) }
    fetcher.attach(legacy: SignatureArtifacts.legacyManifest(layers), to: Self.digest)
    let verdict = Self.verify(fetcher, .publicKey(pem: key.publicPEM))
    #expect(Verdict.isRejected(verdict, "; and 12 more; 24 more signature(s) not tried (limit 16)"), "\(verdict)")
    #expect(fetcher.readLog.filter { $0.hasPrefix("blob") }.count == 16)
  }

  @Test("blobs: a size over the limit is not read; wrong content, missing or unreadable blobs are refused")
  func blobChecks() throws {
    let workshop = try OpenSSLWorkshop()
    let key = try workshop.key()
    let layer = try workshop.legacyLayer(naming: Self.digest, key: key)
    let policy = SignaturePolicy.publicKey(pem: key.publicPEM)
    func signed(_ change: (FakeFetcher) -> Void) -> FakeFetcher {
      let fetcher = FakeFetcher()
      fetcher.attach(legacy: SignatureArtifacts.legacyManifest([layer]), to: Self.digest)
      change(fetcher)
      return fetcher
    }
    var limits = SignatureLimits()
    limits.payloadBytes = 64
    let big = signed { _ in }
    #expect(Verdict.isRejected(Self.verify(big, policy, limits: limits), "the signed payload is \(layer.payload.count) bytes, more than the limit of 64"))
    #expect(!big.readLog.contains { $0.hasPrefix("blob") })
    let swapped = signed { $0.blobs[sha256(layer.payload)] = SignatureArtifacts.simpleSigningPayload(digest: TestImage(content: "x").digest) }
    #expect(Verdict.isRejected(Self.verify(swapped, policy), "the signed payload does not match its digest or size"))
    #expect(Verdict.isRejected(Self.verify(signed { $0.blobs[sha256(layer.payload)] = nil }, policy), "is missing from the registry"))
    let tooLarge = signed { $0.failures[sha256(layer.payload)] = ArtifactFetchError(.invalid, "registry sent more than 262144 bytes") }
    #expect(Verdict.isRejected(Self.verify(tooLarge, policy), "cannot read the signed payload: registry sent more than 262144 bytes"))
    let timeout = signed { $0.failures[sha256(layer.payload)] = ArtifactFetchError(.unavailable, "timeout") }
    #expect(Verdict.isUnavailable(Self.verify(timeout, policy), "cannot read the signed payload: timeout"))
  }

  @Test("malformed documents are refused, and random bytes never verify or crash")
  func malformed() throws {
    let key = try OpenSSLWorkshop().key()
    let policy = SignaturePolicy.publicKey(pem: key.publicPEM)
    let deep = Array(repeating: UInt8(ascii: "["), count: 100_000)
    for bytes in [Array("not json".utf8), deep, Array("[]".utf8), Array(#"{"layers":"x"}"#.utf8), Array(#"{"layers":[{"digest":"sha256:x","size":-1}]}"#.utf8)] {
      let fetcher = FakeFetcher()
      fetcher.manifests[SHA256Digest.signatureTag(Self.digest)] = bytes
      let verdict = Self.verify(fetcher, policy)
      #expect(Verdict.isRejected(verdict, "tag sha256-"), "\(verdict)")
    }
    var generator = SystemRandomNumberGenerator()
    for round in 0..<300 {
      let noise = (0..<Int.random(in: 0..<400, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let fetcher = FakeFetcher()
      switch round % 3 {
      case 0: fetcher.attach(bundle: noise, to: Self.digest)
      case 1: fetcher.attach(legacy: SignatureArtifacts.legacyManifest([(noise, ["dev.cosignproject.cosign/signature": Base64.encode(noise)])]), to: Self.digest)
      default: fetcher.manifests[SHA256Digest.referrersTag(Self.digest)] = noise
      }
      #expect(!Self.verify(fetcher, policy).isVerified)
    }
  }

  @Test("reasons quote untrusted text briefly: a 10,000-character type does not reach the verdict")
  func shortReasons() throws {
    let workshop = try OpenSSLWorkshop()
    let key = try workshop.key()
    let fetcher = FakeFetcher()
    fetcher.attach(legacy: SignatureArtifacts.legacyManifest([try workshop.legacyLayer(naming: Self.digest, key: key, type: String(repeating: "x", count: 10_000))]), to: Self.digest)
    let verdict = Self.verify(fetcher, .publicKey(pem: key.publicPEM))
    #expect(Verdict.isRejected(verdict, "critical.type is \"xxxx"), "\(verdict)")
    #expect(verdict.message.count < 1000)
  }

  @Test("a valid log entry of another signature, attached to this one, is rejected: the body must record this signature")
  func borrowedLogEntry() throws {
    let sigstore = try TestSigstore(try OpenSSLWorkshop())
    let leaf = try sigstore.leaf(san: "email:ci@example.com", issuer: "https://issuer.example")
    let now = Int64(Timestamps.now())
    let genuine = try sigstore.dsseBundle(digest: Self.digest, leaf: leaf, integratedTime: now)
    let entries = try #require(try JSON.parse(genuine)["verificationMaterial"]["tlogEntries"].arrayValue)
    // Same signer and statement, signed again (ECDSA signatures differ), with the old entry.
    let statement = SignatureArtifacts.statement(digest: Self.digest)
    let resigned = try sigstore.workshop.sign(SignatureArtifacts.pae("application/vnd.in-toto+json", statement), with: leaf.key)
    let borrowed = SignatureArtifacts.dsseBundle(statement: statement, signature: resigned, certificate: leaf.certificate.der, tlogEntries: entries.map { $0.text })
    let policy = SignaturePolicy.keyless(trustedRoot: sigstore.trustedRoot(), issuer: .exact("https://issuer.example"), subject: .exact("ci@example.com"))
    let good = FakeFetcher()
    good.attach(bundle: genuine, to: Self.digest)
    #expect(Self.verify(good, policy).isVerified)
    let fetcher = FakeFetcher()
    fetcher.attach(bundle: borrowed, to: Self.digest)
    #expect(Verdict.isRejected(Self.verify(fetcher, policy), "the log entry records another signature"))
  }

  @Test("a malformed trusted root or identity refuses the policy before the registry is read")
  func badTrustedRoot() throws {
    let sigstore = try TestSigstore(try OpenSSLWorkshop())
    let good = sigstore.trustedRoot()
    let cases: [(String, String)] = [
      ("not json", "the trusted root is not a JSON object"),
      (good.replacing("application/vnd.dev.sigstore.trustedroot+json;version=0.1", with: "application/json"), "mediaType"),
      (good.replacing(#""tlogs":["#, with: #""tlogs":[],"x":["#), "has no transparency log"),
      (good.replacing(#""rawBytes":"MI"#, with: #""rawBytes":"!!"#), "is not base64 DER"),
      (good.replacing(#""validFor":{"start":"2020-01-01T00:00:00Z"}},"logId""#, with: #""validFor":{}},"logId""#), "has no validFor.start"),
      (String(repeating: " ", count: 2 << 20), "larger than"),
    ]
    for (root, words) in cases {
      let fetcher = FakeFetcher()
      let verdict = Self.verify(fetcher, .keyless(trustedRoot: root, issuer: .exact("i"), subject: .exact("s")))
      #expect(Verdict.isRejected(verdict, "signature policy refused: "), "\(verdict)")
      #expect(Verdict.isRejected(verdict, words), "\(words): \(verdict)")
      #expect(fetcher.readLog.isEmpty)
    }
    #expect(Verdict.isRejected(Self.verify(FakeFetcher(), .keyless(trustedRoot: good, issuer: .pattern("("), subject: .exact("s"))), "the issuer pattern does not compile"))
  }
}
