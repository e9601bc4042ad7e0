/// JWS ES256 signatures are the raw `r ‖ s` (32 bytes each, RFC 7518 §3.4); OpenSSL verifies
/// the ASN.1 DER `ECDSA-Sig-Value`. This converts one to the other, and back (for tests and
/// senders).
public enum ECDSASignature {
  /// DER `SEQUENCE { INTEGER r, INTEGER s }` of a 64-byte P-256 signature; nil for any other
  /// length or a zero component.
  public static func der(raw: [UInt8]) -> [UInt8]? {
    guard raw.count == 64 else { return nil }
    guard let r = integer(raw[0..<32]), let s = integer(raw[32..<64]) else { return nil }
    let content = r + s
    return [0x30, UInt8(content.count)] + content
  }

  /// The minimal DER INTEGER of an unsigned big-endian number (nil when it is zero).
  static func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
    var digits = Array(bytes.drop { $0 == 0 })
    guard let first = digits.first else { return nil }
    if first & 0x80 != 0 { digits.insert(0, at: 0) }
    return [0x02, UInt8(digits.count)] + digits
  }

  /// The raw `r ‖ s` of a DER P-256 signature (what `openssl dgst -sign` writes); nil when it
  /// is not one.
  public static func raw(der: [UInt8]) -> [UInt8]? {
    guard der.count >= 8, der[0] == 0x30, Int(der[1]) == der.count - 2 else { return nil }
    var out: [UInt8] = []
    var i = 2
    for _ in 0..<2 {
      guard i + 2 <= der.count, der[i] == 0x02 else { return nil }
      let length = Int(der[i + 1])
      guard length >= 1, length <= 33, i + 2 + length <= der.count else { return nil }
      let value = der[(i + 2)..<(i + 2 + length)].drop { $0 == 0 }
      guard value.count <= 32 else { return nil }
      out += [UInt8](repeating: 0, count: 32 - value.count) + value
      i += 2 + length
    }
    return i == der.count ? out : nil
  }
}
