import CKcdCrypto
import COpenSSL

/// One RSA public key that checks PKCS#1 v1.5 signatures (SNS SignatureVersion 1 and 2, JWT
/// RS256). Immutable after init, and OpenSSL allows concurrent verifies with one `EVP_PKEY`.
public final class RSAVerifier: @unchecked Sendable {
  public enum Hash: Sendable { case sha1, sha256 }

  /// Keys below this size are refused: nothing kcd talks to signs with less.
  public static let minimumBits: Int32 = 2048

  let key: OpaquePointer

  /// From a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
  public convenience init(publicKeyPEM pem: String) throws(CryptoError) {
    guard let key = EVPKey.read(pem: pem) else { throw CryptoError("not a PEM public key") }
    try self.init(owning: key)
  }

  /// The key of an X.509 certificate (which is not otherwise checked here: see `Certificate`).
  public convenience init(certificate: Certificate) throws(CryptoError) {
    guard let key = X509_get_pubkey(certificate.x509) else { throw .openSSL("the certificate has no usable public key") }
    try self.init(owning: key)
  }

  /// From a JWK's big-endian `n` and `e` (already base64url-decoded).
  public convenience init(modulus: [UInt8], exponent: [UInt8]) throws(CryptoError) {
    guard !modulus.isEmpty, !exponent.isEmpty else { throw CryptoError("an RSA key needs n and e") }
    let key = modulus.withUnsafeBufferPointer { n in
      exponent.withUnsafeBufferPointer { e in kcd_crypto_rsa_public_key(n.baseAddress!, n.count, e.baseAddress!, e.count) }
    }
    guard let key else { throw .openSSL("cannot build an RSA key from n and e") }
    try self.init(owning: key)
  }

  /// Takes ownership of `key` (freed here on refusal, in deinit otherwise).
  init(owning key: OpaquePointer) throws(CryptoError) {
    self.key = key
    guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else { throw CryptoError("the key is not an RSA key") }
    guard EVP_PKEY_get_bits(key) >= Self.minimumBits else { throw CryptoError("the RSA key is shorter than \(Self.minimumBits) bits") }
  }

  deinit { EVP_PKEY_free(key) }

  public var bits: Int { Int(EVP_PKEY_get_bits(key)) }

  /// True only when `signature` is a valid PKCS#1 v1.5 signature of `message` under this key.
  public func verify(_ signature: [UInt8], message: [UInt8], hash: Hash) -> Bool {
    EVPKey.verify(key, digest: hash == .sha1 ? EVP_sha1() : EVP_sha256(), signature: signature, message: message)
  }
}
