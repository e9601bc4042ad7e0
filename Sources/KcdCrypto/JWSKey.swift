import KcdJSON

/// One public key from a JWKS document, bound to the one algorithm it verifies: an RSA key
/// (2048 bits or more) checks RS256 only, a P-256 key ES256 only. A token's header can pick a
/// key by `kid`, never a different way of using it.
public struct JWSKey: Sendable {
  public let id: String?
  public let algorithm: JWSAlgorithm
  let rsa: RSAVerifier?
  let ec: VerificationKey?

  /// SubjectPublicKeyInfo prefix of an uncompressed P-256 point (id-ecPublicKey, prime256v1).
  static let p256Prefix: [UInt8] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07,
    0x03, 0x42, 0x00, 0x04,
  ]

  /// From one JWK object. Throws for a key kcd cannot use for signatures: symmetric (`oct`),
  /// another curve, an `alg` it does not accept, `use` other than `sig`, or bad numbers.
  public init(jwk: JSON) throws(CryptoError) {
    guard jwk.objectValue != nil else { throw CryptoError("a JWK is not an object") }
    if !jwk["use"].isNull, jwk["use"].stringValue != "sig" { throw CryptoError("the JWK is not for signatures") }
    id = jwk["kid"].stringValue
    let declared = jwk["alg"].stringValue
    switch jwk["kty"].stringValue {
    case "RSA":
      guard declared == nil || declared == JWSAlgorithm.rs256.rawValue else { throw CryptoError("the RSA JWK is not for RS256") }
      guard let n = jwk["n"].stringValue.flatMap({ JWT.base64URL($0[...]) }), let e = jwk["e"].stringValue.flatMap({ JWT.base64URL($0[...]) }) else {
        throw CryptoError("the RSA JWK has no valid n or e")
      }
      algorithm = .rs256
      rsa = try RSAVerifier(modulus: n, exponent: e)
      ec = nil
    case "EC":
      guard jwk["crv"].stringValue == "P-256" else { throw CryptoError("the EC JWK is not on P-256") }
      guard declared == nil || declared == JWSAlgorithm.es256.rawValue else { throw CryptoError("the EC JWK is not for ES256") }
      guard let x = jwk["x"].stringValue.flatMap({ JWT.base64URL($0[...]) }), let y = jwk["y"].stringValue.flatMap({ JWT.base64URL($0[...]) }),
            x.count == 32, y.count == 32 else {
        throw CryptoError("the EC JWK has no valid x or y")
      }
      let key = try VerificationKey(der: JWSKey.p256Prefix + x + y)
      guard key.kind == .ecdsaP256 else { throw CryptoError("the EC JWK is not a P-256 key") }
      algorithm = .es256
      rsa = nil
      ec = key
    default:
      throw CryptoError("the JWK is neither RSA nor EC")
    }
  }

  /// True only when `signature` (as it stands in the token) verifies over `signingInput`.
  public func verify(_ signature: [UInt8], signingInput: [UInt8]) -> Bool {
    switch algorithm {
    case .rs256:
      return rsa?.verify(signature, message: signingInput, hash: .sha256) ?? false
    case .es256:
      guard let der = ECDSASignature.der(raw: signature) else { return false }
      return ec?.verify(der, message: signingInput) ?? false
    }
  }
}

/// The usable signing keys of a JWKS document (`{"keys":[…]}`). Keys kcd cannot use are
/// skipped (an issuer may publish other kinds next to its signing keys); a document with none
/// left is refused.
public struct JWSKeySet: Sendable {
  public let keys: [JWSKey]

  public init(keys: [JWSKey]) { self.keys = keys }

  public init(document: [UInt8]) throws(CryptoError) {
    guard let json = try? JSON.parse(document), let list = json["keys"].arrayValue else {
      throw CryptoError("the key set is not a JWKS document")
    }
    keys = list.compactMap { try? JWSKey(jwk: $0) }
    guard !keys.isEmpty else { throw CryptoError("the key set holds no RS256 or ES256 signing key") }
  }

  /// Keys that may have made a token with this `kid` and algorithm (every key of the
  /// algorithm when the token names no key).
  public func candidates(kid: String?, algorithm: JWSAlgorithm) -> [JWSKey] {
    keys.filter { $0.algorithm == algorithm && (kid == nil || $0.id == kid) }
  }
}
