import CKcdCrypto

/// An HMAC-SHA256 key prepared once (its pads hashed): for keys that sign or check many
/// messages, such as a webhook secret. Same results as `Digest.hmacSHA256`.
public final class HMACKey: @unchecked Sendable {
  // Immutable after init; OpenSSL only reads it (each call copies it into a per-thread state).
  let prepared: OpaquePointer
  let key: [UInt8]

  public init?(_ key: [UInt8]) {
    guard let p = key.withUnsafeBufferPointer({ kcd_hmac_sha256_key_new($0.baseAddress, $0.count) }) else { return nil }
    prepared = p
    self.key = key
  }

  deinit { kcd_hmac_sha256_key_free(prepared) }

  /// HMAC-SHA256 of `prefix` followed by `message` (no concatenated copy is made).
  public func mac(_ prefix: [UInt8], _ message: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    let ok = prefix.withUnsafeBufferPointer { p in
      message.withUnsafeBufferPointer { m in
        out.withUnsafeMutableBufferPointer { o in kcd_hmac_sha256(prepared, p.baseAddress, p.count, m.baseAddress, m.count, o.baseAddress!) }
      }
    }
    // Only an allocation failure inside OpenSSL gets here: fall back to the one-shot call.
    return ok == 1 ? out : Digest.hmacSHA256(key: key, message: prefix + message)
  }
}
