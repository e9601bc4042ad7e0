import KcdCore
import KcdTestSupport
import Testing

@testable import KcdSigning

/// The OCI 1.1 referrers API path (docker-registry 2.8 has none), with an in-memory fetcher.
@Suite struct ReferrersAPITests {
  static let digest = TestImage(content: "api").digest
  static let other = TestImage(content: "api-other").digest

  static func verify(_ fetcher: FakeFetcher, _ key: OpenSSLWorkshop.Key) -> SignatureVerdict {
    SignatureVerifier(fetcher: fetcher).verify(repository: "r.example/app", digest: digest, policy: .publicKey(pem: key.publicPEM), now: 0)
  }

  /// A registry with a referrers API listing, under `listed`, a bundle for `digest` signed by
  /// the returned key.
  static func apiRegistry(listing listed: String) throws -> (FakeFetcher, OpenSSLWorkshop.Key) {
    let workshop = try OpenSSLWorkshop()
    let key = try workshop.key()
    let fetcher = FakeFetcher()
    fetcher.referrers = [:]
    fetcher.attach(bundle: try workshop.dsseBundle(naming: digest, key: key), to: listed)
    return (fetcher, key)
  }

  @Test("bundles listed by the referrers API verify, and the referrers tag is then not read")
  func apiListing() throws {
    let (fetcher, key) = try Self.apiRegistry(listing: Self.digest)
    let verdict = Self.verify(fetcher, key)
    #expect(Verdict.isVerified(verdict, "Sigstore bundle (referrers API, referrer sha256:"), "\(verdict)")
    #expect(fetcher.readLog.first == "referrers \(Self.digest)")
    #expect(!fetcher.readLog.contains("manifest \(SHA256Digest.referrersTag(Self.digest))"))
    #expect(!fetcher.readLog.contains("manifest \(SHA256Digest.signatureTag(Self.digest))"))
  }

  @Test("without a referrers API the referrers tag is read; an empty API answer then falls through to the .sig tag")
  func fallbacks() throws {
    let workshop = try OpenSSLWorkshop()
    let key = try workshop.key()
    let tagged = FakeFetcher()
    tagged.attach(bundle: try workshop.dsseBundle(naming: Self.digest, key: key), to: Self.digest)
    #expect(Verdict.isVerified(Self.verify(tagged, key), "Sigstore bundle (tag \(SHA256Digest.referrersTag(Self.digest))"))

    let legacy = FakeFetcher()
    legacy.referrers = [:]
    let layer = try workshop.legacyLayer(naming: Self.digest, key: key)
    legacy.attach(legacy: SignatureArtifacts.legacyManifest([layer]), to: Self.digest)
    #expect(Self.verify(legacy, key).isVerified)
    #expect(legacy.readLog == ["referrers \(Self.digest)", "manifest \(SHA256Digest.signatureTag(Self.digest))", "blob \(sha256(layer.payload))"])
  }

  @Test("a referrer whose subject is another digest is rejected even when its bundle is valid for this one")
  func subjectMismatch() throws {
    let (fetcher, key) = try Self.apiRegistry(listing: Self.other)
    let listing = fetcher.referrers?[Self.other]
    fetcher.referrers?[Self.digest] = listing
    #expect(Verdict.isRejected(Self.verify(fetcher, key), "the referrer manifest's subject is sha256:"))
  }

  @Test("an unreadable referrers list leaves the verdict unavailable, even when a .sig signature was refused; a good .sig signature still passes")
  func unavailableReferrers() throws {
    let workshop = try OpenSSLWorkshop()
    let (key, wrong) = (try workshop.key(), try workshop.key())
    let fetcher = FakeFetcher()
    fetcher.failures["referrers"] = ArtifactFetchError(.unavailable, "registry r answered 503")
    fetcher.attach(legacy: SignatureArtifacts.legacyManifest([try workshop.legacyLayer(naming: Self.digest, key: wrong)]), to: Self.digest)
    let verdict = Self.verify(fetcher, key)
    #expect(Verdict.isUnavailable(verdict, "referrers: cannot read the referrers of the image: registry r answered 503"), "\(verdict)")
    #expect(Self.verify(fetcher, wrong).isVerified)
  }
}
