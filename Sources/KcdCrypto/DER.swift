/// The few DER encodings kcd decodes itself (everything else goes through OpenSSL).
public enum DER {
  /// The text of a DER `UTF8String` (tag 12) that is exactly `bytes`: definite minimal-length
  /// encoding, no trailing bytes, valid UTF-8. Nil for anything else.
  public static func utf8String(_ bytes: [UInt8]) -> String? {
    guard bytes.count >= 2, bytes[0] == 0x0C else { return nil }
    var length = 0
    var offset = 2
    let first = Int(bytes[1])
    if first < 0x80 {
      length = first
    } else {
      let count = first & 0x7F
      // Long form only for lengths of 128 and more, without leading zero bytes (DER).
      guard count >= 1, count <= 3, bytes.count >= 2 + count, bytes[2] != 0 else { return nil }
      for i in 0..<count { length = length << 8 | Int(bytes[2 + i]) }
      guard length >= 0x80 else { return nil }
      offset = 2 + count
    }
    guard bytes.count == offset + length else { return nil }
    let content = Array(bytes[offset...])
    guard let text = String(validating: content, as: UTF8.self) else { return nil }
    return text
  }
}
