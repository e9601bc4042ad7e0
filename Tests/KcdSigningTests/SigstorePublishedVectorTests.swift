import KcdCore
import KcdCrypto
import KcdJSON
import KcdTestSupport
import Testing

@testable import KcdSigning

/// Data Sigstore produced (sigstore-go `examples/`, see Fixtures/README.md): the SET
/// canonicalisation, DSSE PAE, Fulcio extensions and chain building must agree with it.
@Suite struct SigstorePublishedVectorTests {
  static func fixture(_ name: String) throws -> String {
    guard let text = TestEnvironment.read(TestEnvironment.packageRoot + "/Tests/KcdSigningTests/Fixtures/" + name) else {
      throw TestFailure("missing fixture \(name)")
    }
    return text
  }

  static func publicGood() throws -> TrustedRoot { try TrustedRoot(json: try fixture("trusted-root-public-good.json"), limits: SignatureLimits()) }

  static func bundle(_ name: String) throws -> JSON { try JSON.parse(try fixture(name)) }

  @Test("the public-good trusted root: Rekor's log ID is the SHA-256 of its key; two Fulcio authorities")
  func publicGoodRoot() throws {
    let root = try Self.publicGood()
    #expect(root.logs.count == 1)
    #expect(root.logs[0].id == Digest.hex(Base64.decode("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=")!))
    #expect(root.logs[0].baseURL == "https://rekor.sigstore.dev")
    #expect(root.authorities.count == 2)
    #expect(root.authorities[1].intermediates.count == 1)
    #expect(root.authorities[0].window.end != nil)
    #expect(root.authorities[1].window.end == nil)
  }

  @Test("Rekor's SETs over both published entries verify with the public-good log key; any change breaks them",
        arguments: ["bundle-provenance.json", "bundle-publish.json"])
  func publishedSETs(_ name: String) throws {
    let root = try Self.publicGood()
    let entry = try LogEntry(bundleEntry: try Self.bundle(name)["verificationMaterial"]["tlogEntries"][0])
    let log = try TransparencyLog(root: root, limits: SignatureLimits()).promise(entry, now: 1_800_000_000)
    #expect(log.baseURL == "https://rekor.sigstore.dev")
    let set = try #require(entry.signedEntryTimestamp)
    for changed in [
      LogEntry(bodyText: entry.bodyText, body: entry.body, integratedTime: entry.integratedTime + 1, logIndex: entry.logIndex, logID: entry.logID, signedEntryTimestamp: set, kindVersion: nil),
      LogEntry(bodyText: entry.bodyText, body: entry.body, integratedTime: entry.integratedTime, logIndex: entry.logIndex + 1, logID: entry.logID, signedEntryTimestamp: set, kindVersion: nil),
      LogEntry(bodyText: "e30=", body: Array("{}".utf8), integratedTime: entry.integratedTime, logIndex: entry.logIndex, logID: entry.logID, signedEntryTimestamp: set, kindVersion: nil),
    ] {
      #expect(throws: CandidateFailure.self) { try TransparencyLog(root: root, limits: SignatureLimits()).promise(changed, now: 1_800_000_000) }
    }
  }

  @Test("the published DSSE signature of npm's publish attestation verifies over the PAE with npm's key (taken from the Rekor body)")
  func publishedPAE() throws {
    let bundle = try Self.bundle("bundle-publish.json")
    let envelope = try DSSEEnvelope(bundle["dsseEnvelope"], limits: SignatureLimits())
    let entry = try LogEntry(bundleEntry: bundle["verificationMaterial"]["tlogEntries"][0])
    // intoto v0.0.2 stores the public key base64-encoded twice.
    let body = try JSON.parse(entry.body)
    let keyText = try #require(body["spec"]["content"]["envelope"]["signatures"][0]["publicKey"].stringValue)
    let pem = String(decoding: try #require(Base64.decode(keyText)), as: UTF8.self)
    let key = try VerificationKey(pem: pem)
    #expect(key.kind == .ecdsaP256)
    #expect(key.verify(envelope.signatures[0], message: envelope.pae))
    #expect(envelope.pae == SignatureArtifacts.pae(envelope.payloadType, envelope.payload))
    #expect(!key.verify(envelope.signatures[0], message: envelope.payload), "the signature is over the PAE, not the payload")
  }

  @Test("the Fulcio leaf of the provenance bundle: issuer, subject, code signing; chains to public-good Fulcio at its log time only")
  func publishedFulcioLeaf() throws {
    let root = try Self.publicGood()
    let bundle = try Self.bundle("bundle-provenance.json")
    let certificates = try #require(bundle["verificationMaterial"]["x509CertificateChain"]["certificates"].arrayValue).map {
      try Certificate(der: try #require($0["rawBytes"].stringValue.flatMap(Base64.decode)))
    }
    let leaf = certificates[0]
    let identity = try FulcioIdentity(leaf)
    #expect(identity == FulcioIdentity(issuer: "https://token.actions.githubusercontent.com", subject: "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"))
    let v1 = try #require(try leaf.extensionValue(oid: FulcioIdentity.issuerV1))
    #expect(String(decoding: v1, as: UTF8.self) == identity.issuer)
    #expect(leaf.allowsCodeSigning)
    let logged = 1_681_839_912.0
    let authority = try root.verifyChain(leaf, untrusted: [], at: logged)
    #expect(authority.intermediates.count == 1)
    // Ten minutes later the leaf has expired; a chain check at `now` would refuse it.
    #expect(throws: CandidateFailure.self) { try root.verifyChain(leaf, untrusted: [], at: logged + 3600) }
    // The bundle's own chain is no anchor: with only the retired 2021 authority trusted, it fails.
    // The bundle's own chain (intermediate and the 2022 root) is no anchor: with only the 2021
    // root trusted (its window opened up), the chain fails even though the bundle carries the
    // right root.
    let retired = root.authorities[0]
    let onlyRetired = TrustedRoot(
      authorities: [.init(uri: retired.uri, root: retired.root, intermediates: [], window: .init(start: -.infinity, end: nil))], logs: root.logs)
    #expect(certificates.count == 3)
    #expect(throws: CandidateFailure.self) { try onlyRetired.verifyChain(leaf, untrusted: Array(certificates.dropFirst()), at: logged) }
    let withCurrent = TrustedRoot(authorities: [root.authorities[1]], logs: root.logs)
    #expect(try withCurrent.verifyChain(leaf, untrusted: Array(certificates.dropFirst()), at: logged).root.fingerprint == root.authorities[1].root.fingerprint)
    // The DSSE signature verifies with the leaf's key.
    let envelope = try DSSEEnvelope(bundle["dsseEnvelope"], limits: SignatureLimits())
    #expect(try VerificationKey(certificate: leaf).verify(envelope.signatures[0], message: envelope.pae))
  }

  @Test("the whole provenance bundle is refused: v0.1 is not accepted, and as v0.3 its intoto v0.0.2 log entry records no cosign signature")
  func provenanceBundleIsNotASignature() throws {
    let text = try Self.fixture("bundle-provenance.json")
    #expect(throws: CandidateFailure.rejected("the bundle's mediaType is not a Sigstore bundle v0.2/v0.3")) {
      try SigstoreBundle.evidence(Array(text.utf8), keyless: true, limits: SignatureLimits()) { () throws(CandidateFailure) in [] }
    }
    let relabelled = text.replacing("application/vnd.dev.sigstore.bundle+json;version=0.1", with: "application/vnd.dev.sigstore.bundle.v0.3+json")
    let evidence = try SigstoreBundle.evidence(Array(relabelled.utf8), keyless: true, limits: SignatureLimits()) { () throws(CandidateFailure) in [] }
    let trust = KeylessTrust(
      root: try Self.publicGood(),
      issuer: try IdentityMatcher(.exact("https://token.actions.githubusercontent.com"), what: "issuer"),
      subject: try IdentityMatcher(.pattern("https://github\\.com/sigstore/.*"), what: "subject"))
    let check = EvidenceCheck(policy: .keyless(trust), digest: "sha256:" + String(repeating: "a", count: 64), now: 1_800_000_000, limits: SignatureLimits())
    #expect(throws: CandidateFailure.rejected("the log entry is a intoto 0.0.2 entry, which does not record this kind of signature")) { try check.run(evidence) }
  }
}
