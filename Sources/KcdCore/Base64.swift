/// RFC 4648 base64 (standard alphabet, padded) without Foundation.
public enum Base64 {
  static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
  static let reverse: [UInt8] = {
    var r = [UInt8](repeating: 0xFF, count: 256)
    for (i, c) in alphabet.enumerated() { r[Int(c)] = UInt8(i) }
    r[Int(UInt8(ascii: "-"))] = 62
    r[Int(UInt8(ascii: "_"))] = 63
    return r
  }()

  public static func encode(_ bytes: some Collection<UInt8>) -> String {
    let b = Array(bytes)
    var out: [UInt8] = []
    out.reserveCapacity((b.count + 2) / 3 * 4)
    var i = 0
    while i + 2 < b.count {
      let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
      out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
      i += 3
    }
    let rest = b.count - i
    if rest == 1 {
      let n = UInt32(b[i]) << 16
      out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], 61, 61]
    } else if rest == 2 {
      let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8
      out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], 61]
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes standard or URL-safe base64, padded or not; nil on any other character.
  public static func decode(_ text: String) -> [UInt8]? {
    var out: [UInt8] = []
    var acc: UInt32 = 0
    var bits = 0
    var padding = 0
    for c in text.utf8 {
      if c == 61 { padding += 1; continue }
      if c == 10 || c == 13 { continue }
      guard padding == 0 else { return nil }
      let v = reverse[Int(c)]
      guard v != 0xFF else { return nil }
      acc = acc << 6 | UInt32(v)
      bits += 6
      if bits >= 8 {
        bits -= 8
        out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
      }
    }
    guard padding <= 2, bits < 6 else { return nil }
    return out
  }
}
