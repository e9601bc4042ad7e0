import COpenSSL

/// The OpenSSL calls every public-key type here shares: reading a key and one
/// `EVP_DigestVerify`, with OpenSSL's thread-local error queue emptied afterwards.
enum EVPKey {
  /// A PEM `PUBLIC KEY` (SubjectPublicKeyInfo); the caller owns the result.
  static func read(pem: String) -> OpaquePointer? {
    let bytes = Array(pem.utf8)
    defer { ERR_clear_error() }
    return bytes.withUnsafeBytes { buffer in
      guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
      defer { BIO_free(bio) }
      return PEM_read_bio_PUBKEY(bio, nil, nil, nil)
    }
  }

  /// A DER SubjectPublicKeyInfo that is exactly `der` (no trailing bytes); the caller owns it.
  static func read(der: [UInt8]) -> OpaquePointer? {
    defer { ERR_clear_error() }
    return der.withUnsafeBufferPointer { b -> OpaquePointer? in
      guard let start = b.baseAddress else { return nil }
      var p: UnsafePointer<UInt8>? = start
      guard let key = d2i_PUBKEY(nil, &p, b.count) else { return nil }
      guard p == start + b.count else { EVP_PKEY_free(key); return nil }
      return key
    }
  }

  /// True only when `signature` verifies over `message` (`digest` nil for Ed25519, which
  /// hashes internally).
  static func verify(_ key: OpaquePointer, digest: OpaquePointer?, signature: [UInt8], message: [UInt8]) -> Bool {
    defer { ERR_clear_error() }
    guard !signature.isEmpty, let ctx = EVP_MD_CTX_new() else { return false }
    defer { EVP_MD_CTX_free(ctx) }
    guard EVP_DigestVerifyInit(ctx, nil, digest, nil, key) == 1 else { return false }
    let rc = signature.withUnsafeBufferPointer { sig in
      message.withUnsafeBufferPointer { msg in
        // A zero-length message still needs a valid pointer.
        let m = msg.baseAddress ?? UnsafePointer(bitPattern: 1)!
        return EVP_DigestVerify(ctx, sig.baseAddress, sig.count, m, msg.count)
      }
    }
    return rc == 1
  }
}
