import KcdCore
import KcdCrypto
import Testing

/// PKCS#1 v1.5 verification against signatures made by the openssl CLI and by AWS SNS.
@Suite struct RSAVerifierTests {
  let fx = OpenSSLFixtures.shared

  @Test("the real AWS SNS signatures verify with the certificate's key", arguments: AWSSNSVectors.vectors)
  func awsVectors(vector: AWSSNSVectors.Vector) throws {
    let key = try RSAVerifier(certificate: try Certificate(pem: AWSSNSVectors.certificate))
    let signature = try #require(Base64.decode(vector.signature))
    let message = Array(vector.stringToSign.utf8)
    let hash: RSAVerifier.Hash = vector.version == 1 ? .sha1 : .sha256
    #expect(key.verify(signature, message: message, hash: hash))
    // The other hash, a changed message, a changed signature: all refused.
    #expect(!key.verify(signature, message: message, hash: hash == .sha1 ? .sha256 : .sha1))
    #expect(!key.verify(signature, message: Array(vector.stringToSign.replacingHello().utf8), hash: hash))
    var flipped = signature
    flipped[10] ^= 1
    #expect(!key.verify(flipped, message: message, hash: hash))
  }

  @Test("openssl signatures verify through a PEM key, a certificate and a JWK", arguments: ["sha1", "sha256"])
  func keyForms(hash: String) throws {
    let message = "kcd signs nothing, it only checks"
    let signature = try fx.sign(message, key: "leaf.key", hash: hash)
    let h: RSAVerifier.Hash = hash == "sha1" ? .sha1 : .sha256
    let verifiers = [
      try RSAVerifier(publicKeyPEM: fx.text("leaf.pub")),
      try RSAVerifier(certificate: try Certificate(pem: fx.text("leaf.pem"))),
      try RSAVerifier(modulus: try fx.modulus("leaf.key"), exponent: [1, 0, 1]),
    ]
    for v in verifiers {
      #expect(v.bits == 2048)
      #expect(v.verify(signature, message: Array(message.utf8), hash: h))
      #expect(!v.verify(signature, message: Array((message + ".").utf8), hash: h))
      #expect(!v.verify([], message: Array(message.utf8), hash: h))
    }
    // Another key's verifier refuses the signature.
    let other = try RSAVerifier(certificate: try Certificate(pem: fx.text("int.pem")))
    #expect(!other.verify(signature, message: Array(message.utf8), hash: h))
  }

  @Test("garbage, EC keys and short RSA keys are refused")
  func refusals() {
    #expect(throws: CryptoError.self) { try RSAVerifier(publicKeyPEM: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n") }
    #expect(throws: CryptoError("the key is not an RSA key")) { try RSAVerifier(publicKeyPEM: fx.text("ec.pub")) }
    #expect(throws: CryptoError("the RSA key is shorter than 2048 bits")) { try RSAVerifier(publicKeyPEM: fx.text("small.pub")) }
    #expect(throws: CryptoError.self) { try RSAVerifier(modulus: [], exponent: [1, 0, 1]) }
    #expect(throws: CryptoError.self) { try RSAVerifier(modulus: [0xC5, 0x01], exponent: [3]) }
  }
}

extension String {
  /// The vectors' message with one character changed.
  func replacingHello() -> String {
    var s = self
    if let r = s.firstRange(of: "Hello world") { s.replaceSubrange(r, with: "Hello World") }
    return s
  }
}
