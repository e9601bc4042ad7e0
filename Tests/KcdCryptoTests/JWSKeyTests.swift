import KcdCore
import KcdCrypto
import KcdJSON
import KcdTestSupport
import Testing

/// JWKs for OIDC ID tokens: RSA keys verify RS256 only, P-256 keys ES256 only (raw `r ‖ s`
/// signatures), and keys kcd must not use are refused when read.
@Suite struct JWSKeyTests {
  static let dir = TestEnvironment.makeTemporaryDirectory("kcd-jws")

  @Test func rsaAndECKeysVerifyTheirOwnAlgorithmOnly() throws {
    let rsa = try OIDCTestKey(kid: "r", kind: .rsa, directory: Self.dir)
    let ec = try OIDCTestKey(kid: "e", kind: .ec, directory: Self.dir)
    let set = try JWSKeySet(document: (["keys": [rsa.jwk, ec.jwk, ["kty": "oct", "k": "c2VjcmV0"]]] as JSON).serialized())
    #expect(set.keys.count == 2, "the symmetric key is skipped")
    for (key, algorithm) in [(rsa, JWSAlgorithm.rs256), (ec, .es256)] {
      let token = try key.sign(["sub": "x"])
      let parts = token.split(separator: ".")
      let input = Array("\(parts[0]).\(parts[1])".utf8)
      let signature = try #require(Base64.decode(String(parts[2])))
      let candidates = set.candidates(kid: key.kid, algorithm: algorithm)
      #expect(candidates.count == 1 && candidates[0].verify(signature, signingInput: input))
      #expect(!candidates[0].verify(signature, signingInput: input + [0x20]))
      #expect(set.candidates(kid: key.kid, algorithm: algorithm == .rs256 ? .es256 : .rs256).isEmpty)
    }
    #expect(set.candidates(kid: nil, algorithm: .es256).count == 1)
    #expect(set.candidates(kid: "other", algorithm: .rs256).isEmpty)
  }

  @Test("keys kcd must not use are refused", arguments: [
    ["kty": "oct", "k": "c2VjcmV0"] as JSON,
    ["kty": "EC", "crv": "P-384", "x": "AAAA", "y": "AAAA"],
    ["kty": "RSA", "n": "AQAB", "e": "AQAB"],
    ["kty": "RSA", "alg": "HS256", "n": "AQAB", "e": "AQAB"],
    ["kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"],
    ["kty": "OKP", "crv": "Ed25519", "x": "AAAA"],
    "not an object",
  ])
  func refused(jwk: JSON) {
    #expect(throws: CryptoError.self) { try JWSKey(jwk: jwk) }
  }

  @Test func keysForEncryptionAreRefused() throws {
    var jwk = try OIDCTestKey(kid: "enc", kind: .ec, directory: Self.dir).jwk
    jwk["use"] = "enc"
    #expect(throws: CryptoError.self) { try JWSKey(jwk: jwk) }
    #expect(throws: CryptoError.self) { try JWSKeySet(document: (["keys": [jwk]] as JSON).serialized()) }
  }

  @Test func ecdsaSignaturesConvertBothWays() {
    let raw = [UInt8](repeating: 0x80, count: 32) + [0, 0] + [UInt8](repeating: 0x01, count: 30)
    let der = ECDSASignature.der(raw: raw)
    #expect(der.map { Array($0.prefix(4)) } == [0x30, 67, 0x02, 33])
    #expect(der.flatMap(ECDSASignature.raw(der:)) == raw)
    #expect(ECDSASignature.der(raw: [UInt8](repeating: 0, count: 64)) == nil)
    #expect(ECDSASignature.der(raw: [1, 2, 3]) == nil)
    #expect(ECDSASignature.raw(der: [0x30, 2, 0x02, 0]) == nil)
  }
}
