import KcdCore
import KcdTestSupport
import Testing

@testable import KcdSigning

/// Keyless bundles: Fulcio-style leaves from a CA made in the test, a DSSE entry in a log whose
/// key is in the trusted root, and the identity policy — one registry per test.
@Suite(.timeLimit(.minutes(3)))
struct KeylessBundleRegistryTests {
  static let issuer = "https://token.actions.example.com"
  static let subject = "https://git.example.com/org/app/.github/workflows/release.yml@refs/heads/main"

  /// A registry, a Sigstore, and a leaf for the workflow identity.
  static func setUp(issuerExtension: TestSigstore.IssuerExtension = .v2) throws -> (SigningScenario, TestSigstore, TestSigstore.Leaf) {
    let s = try SigningScenario()
    let sigstore = try TestSigstore(s.workshop)
    let leaf = try sigstore.leaf(san: "URI:\(subject)", issuer: issuer, issuerExtension: issuerExtension)
    return (s, sigstore, leaf)
  }

  static func policy(_ sigstore: TestSigstore, issuer: IdentityMatch = .exact(issuer), subject: IdentityMatch = .exact(subject)) -> SignaturePolicy {
    .keyless(trustedRoot: sigstore.trustedRoot(), issuer: issuer, subject: subject)
  }

  func publish(_ s: SigningScenario, _ bundle: [UInt8]) throws { try s.publishBundle(bundle, for: s.image.digest) }

  @Test("(f) right issuer and subject verify — also a year later, when the ten-minute leaf has long expired")
  func rightIdentity() throws {
    let (s, sigstore, leaf) = try Self.setUp()
    let logged = Int64(Timestamps.now())
    try publish(s, try sigstore.dsseBundle(digest: s.image.digest, leaf: leaf, integratedTime: logged))
    let verdict = s.verify(s.image.digest, Self.policy(sigstore))
    #expect(Verdict.isVerified(verdict, "verified keyless: issuer \(Self.issuer), subject \(Self.subject), logged by \(sigstore.logURL) at index 7"), "\(verdict)")
    #expect(s.verify(s.image.digest, Self.policy(sigstore), now: Double(logged) + 400 * 86400).isVerified)
    let pattern = s.verify(s.image.digest, Self.policy(sigstore, subject: .pattern(#"https://git\.example\.com/org/[a-z]+/\.github/workflows/.*@refs/heads/main"#)))
    #expect(pattern.isVerified, "\(pattern)")
  }

  @Test("(f) a wrong subject is rejected, and a subject pattern must match the whole SAN")
  func wrongSubject() throws {
    let (s, sigstore, leaf) = try Self.setUp()
    try publish(s, try sigstore.dsseBundle(digest: s.image.digest, leaf: leaf, integratedTime: Int64(Timestamps.now())))
    let verdict = s.verify(s.image.digest, Self.policy(sigstore, subject: .exact("https://git.example.com/org/other/.github/workflows/release.yml@refs/heads/main")))
    #expect(Verdict.isRejected(verdict, "the certificate's subject \"\(Self.subject)\" does not match"), "\(verdict)")
    let partial = s.verify(s.image.digest, Self.policy(sigstore, subject: .pattern("https://git\\.example\\.com/org/app")))
    #expect(Verdict.isRejected(partial, "does not match pattern"), "\(partial)")
  }

  @Test("(f) a wrong issuer is rejected; the v1 issuer extension is read when v2 is absent")
  func wrongIssuer() throws {
    let (s, sigstore, leaf) = try Self.setUp(issuerExtension: .v1)
    try publish(s, try sigstore.dsseBundle(digest: s.image.digest, leaf: leaf, integratedTime: Int64(Timestamps.now())))
    let verdict = s.verify(s.image.digest, Self.policy(sigstore, issuer: .exact("https://accounts.google.com")))
    #expect(Verdict.isRejected(verdict, "the certificate's issuer \"\(Self.issuer)\" does not match \"https://accounts.google.com\""), "\(verdict)")
    #expect(s.verify(s.image.digest, Self.policy(sigstore)).isVerified)
  }

  @Test("(f) a leaf from a CA outside the trusted root is rejected, though its log promise is good")
  func chainToAnotherRoot() throws {
    let (s, sigstore, _) = try Self.setUp()
    let impostor = try TestSigstore(sigstore.workshop, name: "impostor")
    let leaf = try impostor.leaf(san: "URI:\(Self.subject)", issuer: Self.issuer)
    // Logged in the trusted log (a real Rekor logs anything), signed by the impostor CA.
    try publish(s, try sigstore.dsseBundle(digest: s.image.digest, leaf: leaf, integratedTime: Int64(Timestamps.now())))
    let verdict = s.verify(s.image.digest, Self.policy(sigstore))
    #expect(Verdict.isRejected(verdict, "the certificate does not chain to a certificate authority of the trusted root"), "\(verdict)")
    // Trusting the impostor's chain as a second authority makes it pass: the check is real.
    let both = s.verify(s.image.digest, .keyless(trustedRoot: sigstore.trustedRoot(extraAuthorities: [[impostor.intermediate.der, impostor.root.der]]), issuer: .exact(Self.issuer), subject: .exact(Self.subject)))
    #expect(both.isVerified, "\(both)")
  }

  @Test("(f) a missing log promise, one signed by another key, and one from a log not in the root are rejected")
  func logPromise() throws {
    let (s, sigstore, leaf) = try Self.setUp()
    let now = Int64(Timestamps.now())
    try publish(s, try sigstore.dsseBundle(digest: s.image.digest, leaf: leaf, integratedTime: now, promise: .missing))
    #expect(Verdict.isRejected(s.verify(s.image.digest, Self.policy(sigstore)), "no transparency-log promise (SET) in the log entry"))

    let s2 = try SigningScenario()
    try publish(s2, try sigstore.dsseBundle(digest: s2.image.digest, leaf: leaf, integratedTime: now, promise: .signedBy(try sigstore.workshop.key())))
    let forged = s2.verify(s2.image.digest, Self.policy(sigstore))
    #expect(Verdict.isRejected(forged, "the transparency-log promise (SET) does not verify with the key of log \(sigstore.logURL)"), "\(forged)")

    let otherLog = try TestSigstore(sigstore.workshop, name: "elsewhere")
    let s3 = try SigningScenario()
    try publish(s3, try otherLog.dsseBundle(digest: s3.image.digest, leaf: leaf, integratedTime: now))
    let unknown = s3.verify(s3.image.digest, Self.policy(sigstore))
    #expect(Verdict.isRejected(unknown, "which is not in the trusted root"), "\(unknown)")
  }

  @Test("a certificate that was not valid at the log time, or a log time in the future, is rejected")
  func logTime() throws {
    let (s, sigstore, leaf) = try Self.setUp()
    let now = Timestamps.now()
    try publish(s, try sigstore.dsseBundle(digest: s.image.digest, leaf: leaf, integratedTime: Int64(now) - 2 * 86400))
    #expect(Verdict.isRejected(s.verify(s.image.digest, Self.policy(sigstore)), "the certificate was not valid when the signature was logged"))
    let s2 = try SigningScenario()
    try publish(s2, try sigstore.dsseBundle(digest: s2.image.digest, leaf: leaf, integratedTime: Int64(now) + 3600))
    #expect(Verdict.isRejected(s2.verify(s2.image.digest, Self.policy(sigstore), now: now), "in the future"))
  }

  @Test("a keyless bundle whose statement names another digest is rejected even with a perfect identity")
  func keylessOtherDigest() throws {
    let (s, sigstore, leaf) = try Self.setUp()
    try publish(s, try sigstore.dsseBundle(digest: s.image.digest, leaf: leaf, integratedTime: Int64(Timestamps.now()), statementDigest: s.other.digest))
    #expect(Verdict.isRejected(s.verify(s.image.digest, Self.policy(sigstore)), "signed another digest"))
  }

  @Test("a leaf without the code-signing usage, or without an issuer extension, is rejected")
  func leafShape() throws {
    let (s, sigstore, _) = try Self.setUp()
    let noUsage = try sigstore.leaf(san: "URI:\(Self.subject)", issuer: Self.issuer, codeSigning: false)
    try publish(s, try sigstore.dsseBundle(digest: s.image.digest, leaf: noUsage, integratedTime: Int64(Timestamps.now())))
    #expect(Verdict.isRejected(s.verify(s.image.digest, Self.policy(sigstore)), "does not allow code signing"))
    let s2 = try SigningScenario()
    let noIssuer = try sigstore.leaf(san: "URI:\(Self.subject)", issuer: Self.issuer, issuerExtension: .none)
    try publish(s2, try sigstore.dsseBundle(digest: s2.image.digest, leaf: noIssuer, integratedTime: Int64(Timestamps.now())))
    #expect(Verdict.isRejected(s2.verify(s2.image.digest, Self.policy(sigstore)), "has no OIDC issuer extension"))
  }
}
