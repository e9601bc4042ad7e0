import KcdCore
import KcdCrypto
import Testing

/// X.509 parsing, host names, validity and chains, on the real SNS certificate and on a chain
/// made by the openssl CLI.
@Suite struct CertificateTests {
  let fx = OpenSSLFixtures.shared

  @Test("the real SNS certificate: names, validity, fingerprint, issuer URL")
  func snsCertificate() throws {
    let cert = try Certificate(pem: AWSSNSVectors.certificate)
    #expect(cert.matches(host: "sns.amazonaws.com"))
    #expect(!cert.matches(host: "sns.amazonaws.com.evil.com"))
    #expect(!cert.matches(host: "evil.com"))
    #expect(cert.validity.notBefore == 1_630_972_800)
    #expect(cert.validity.notAfter == 1_660_780_799)
    #expect(cert.isValid(at: AWSSNSVectors.signingTime))
    #expect(!cert.isValid(at: Timestamps.now()))
    #expect(!cert.isValid(at: 1_630_972_799))
    #expect(Digest.hex(cert.fingerprint) == "d03829b46e82c5fd1c2d241093215b2e7469a81e16c05777e7c722a36e0cb2a5")
    #expect(cert.issuerURL == "http://crt.sca1b.amazontrust.com/sca1b.crt")
  }

  @Test("the real SNS certificate chains only when anchored, and only inside its validity")
  func snsChain() throws {
    let cert = try Certificate(pem: AWSSNSVectors.certificate)
    // Its issuer (Amazon Server CA 1B) is an intermediate the system store does not hold.
    #expect(throws: CryptoError.self) { try cert.verifyChain(anchors: .init(), at: AWSSNSVectors.signingTime) }
    // Pinned as an anchor it verifies at signing time, not after it expired.
    try cert.verifyChain(anchors: .init(useSystemStore: false, extra: [cert]), at: AWSSNSVectors.signingTime)
    #expect(throws: CryptoError.self) { try cert.verifyChain(anchors: .init(useSystemStore: false, extra: [cert]), at: Timestamps.now()) }
  }

  @Test("a generated chain: leaf → intermediate → root")
  func generatedChain() throws {
    let root = try Certificate(pem: fx.text("root.pem"))
    let intermediate = try Certificate(der: fx.bytes("int.der"))
    let leaf = try Certificate(pem: fx.text("leaf.pem"))
    let now = Timestamps.now()
    try leaf.verifyChain(intermediates: [intermediate], anchors: .init(useSystemStore: true, extra: [root]), at: now)
    // Without the intermediate, or without the root, or against the system store alone: refused.
    #expect(throws: CryptoError.self) { try leaf.verifyChain(anchors: .init(useSystemStore: true, extra: [root]), at: now) }
    #expect(throws: CryptoError.self) { try leaf.verifyChain(intermediates: [intermediate], anchors: .init(), at: now) }
    // Before the certificates were issued, or after they expire.
    #expect(throws: CryptoError.self) { try leaf.verifyChain(intermediates: [intermediate], anchors: .init(extra: [root]), at: now - 86400 * 2) }
    #expect(throws: CryptoError.self) { try leaf.verifyChain(intermediates: [intermediate], anchors: .init(extra: [root]), at: now + 86400 * 40) }
    #expect(leaf.issuerURL == "http://crt.test.amazontrust.com/int.der")
    #expect(root.issuerURL == nil)
    #expect(leaf.matches(host: "sns.amazonaws.com"))
    #expect(!intermediate.matches(host: "sns.amazonaws.com"))
  }

  @Test("PEM bundles, DER, and garbage")
  func parsing() throws {
    let bundle = fx.text("leaf.pem") + fx.text("int.pem")
    let all = try Certificate.all(pem: bundle)
    #expect(all.count == 2)
    #expect(all[1].fingerprint == (try Certificate(der: fx.bytes("int.der"))).fingerprint)
    #expect(try Certificate.parse(fx.bytes("int.der")).fingerprint == all[1].fingerprint)
    #expect(try Certificate.parse(Array(bundle.utf8)).fingerprint == all[0].fingerprint)
    #expect(throws: CryptoError.self) { try Certificate(pem: "not a certificate") }
    #expect(throws: CryptoError.self) { try Certificate(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
    #expect(throws: CryptoError.self) { try Certificate.all(pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") }
  }
}
