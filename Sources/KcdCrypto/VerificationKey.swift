import COpenSSL

/// A public key that checks signatures the way cosign and Sigstore make them: ECDSA P-256
/// with SHA-256 (ASN.1 DER signatures), RSA PKCS#1 v1.5 with SHA-256 (2048 bits or more), or
/// Ed25519 over the message itself. Other key types are refused when the key is read, so a
/// verification never silently picks a weaker scheme. Immutable; verifies from any thread.
public final class VerificationKey: @unchecked Sendable {
  public enum Kind: String, Sendable, Equatable {
    case ecdsaP256 = "ECDSA P-256"
    case rsa = "RSA"
    case ed25519 = "Ed25519"
  }

  let key: OpaquePointer
  public let kind: Kind

  /// From a PEM `PUBLIC KEY` (SubjectPublicKeyInfo), as in `cosign.pub`.
  public convenience init(pem: String) throws(CryptoError) {
    guard let key = EVPKey.read(pem: pem) else { throw CryptoError("not a PEM public key") }
    try self.init(owning: key)
  }

  /// From a DER SubjectPublicKeyInfo (a trusted root's `publicKey.rawBytes`).
  public convenience init(der: [UInt8]) throws(CryptoError) {
    guard let key = EVPKey.read(der: der) else { throw CryptoError("not a DER public key") }
    try self.init(owning: key)
  }

  /// The subject key of a certificate (which is not otherwise checked here).
  public convenience init(certificate: Certificate) throws(CryptoError) {
    guard let key = X509_get_pubkey(certificate.x509) else { throw .openSSL("the certificate has no usable public key") }
    try self.init(owning: key)
  }

  /// Takes ownership of `key` (freed here on refusal, in deinit otherwise).
  init(owning key: OpaquePointer) throws(CryptoError) {
    self.key = key
    switch EVP_PKEY_get_base_id(key) {
    case EVP_PKEY_EC:
      guard VerificationKey.groupName(key) == "prime256v1" else { kind = .ecdsaP256; throw CryptoError("the ECDSA key is not on P-256") }
      kind = .ecdsaP256
    case EVP_PKEY_RSA:
      kind = .rsa
      guard EVP_PKEY_get_bits(key) >= RSAVerifier.minimumBits else { throw CryptoError("the RSA key is shorter than \(RSAVerifier.minimumBits) bits") }
    case EVP_PKEY_ED25519:
      kind = .ed25519
    default:
      kind = .ed25519
      throw CryptoError("the key is neither ECDSA P-256, RSA nor Ed25519")
    }
  }

  deinit { EVP_PKEY_free(key) }

  /// True only when `signature` is this key's signature of `message`.
  public func verify(_ signature: [UInt8], message: [UInt8]) -> Bool {
    EVPKey.verify(key, digest: kind == .ed25519 ? nil : EVP_sha256(), signature: signature, message: message)
  }

  /// The DER SubjectPublicKeyInfo (what Rekor's log ID is the SHA-256 of).
  public var der: [UInt8] {
    defer { ERR_clear_error() }
    let length = i2d_PUBKEY(key, nil)
    guard length > 0 else { return [] }
    var out = [UInt8](repeating: 0, count: Int(length))
    out.withUnsafeMutableBufferPointer { b in
      var p = b.baseAddress
      _ = i2d_PUBKEY(key, &p)
    }
    return out
  }

  static func groupName(_ key: OpaquePointer) -> String {
    var name = [CChar](repeating: 0, count: 64)
    var length = 0
    defer { ERR_clear_error() }
    guard EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 else { return "" }
    return String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
