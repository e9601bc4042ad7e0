/// Percent-encoding (RFC 3986) without Foundation.
enum PercentEncoding {
  static let hex = Array("0123456789ABCDEF")

  /// Every byte except the unreserved characters and those in `keep` as `%XX`.
  static func encode(_ s: String, keep: Set<UInt8> = []) -> String {
    var out = ""
    for b in s.utf8 {
      let unreserved = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
      if unreserved || keep.contains(b) {
        out.unicodeScalars.append(Unicode.Scalar(b))
      } else {
        out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
      }
    }
    return out
  }

  /// A query value: `/` and `:` stay readable.
  static func query(_ s: String) -> String { encode(s, keep: [UInt8(ascii: "/"), UInt8(ascii: ":")]) }
}
