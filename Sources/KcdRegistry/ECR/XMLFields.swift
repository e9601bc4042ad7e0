/// Element text out of the small, flat XML documents STS answers with, without an XML
/// parser: the first `<Name>…</Name>` (namespace prefixes and attributes allowed), entities
/// and CDATA decoded. Enough for known response shapes, not for arbitrary XML.
public enum XMLFields {
  /// `decoded: false` keeps entities as they are, for an element holding further elements.
  public static func text(of name: String, in xml: String, decoded: Bool = true) -> String? {
    let bytes = Array(xml.utf8)
    let target = Array(name.utf8)
    var i = 0
    while let open = index(of: 0x3C, in: bytes, from: i) {  // <
      var j = open + 1
      let nameStart = j
      while j < bytes.count, !isNameEnd(bytes[j]) { j += 1 }
      let tag = localName(bytes[nameStart..<j])
      guard let close = index(of: 0x3E, in: bytes, from: j) else { return nil }  // >
      i = close + 1
      guard tag == target[...], bytes[close - 1] != 0x2F else { continue }
      // The matching end tag, whatever its prefix.
      var k = i
      while let end = index(of: 0x3C, in: bytes, from: k) {
        if end + 1 < bytes.count, bytes[end + 1] == 0x2F {
          var e = end + 2
          while e < bytes.count, !isNameEnd(bytes[e]) { e += 1 }
          if localName(bytes[(end + 2)..<e]) == target[...] {
            let inner = String(decoding: bytes[i..<end], as: UTF8.self)
            return decoded ? decode(inner) : inner
          }
        }
        k = end + 1
      }
      return nil
    }
    return nil
  }

  static func index(of byte: UInt8, in bytes: [UInt8], from start: Int) -> Int? {
    var i = start
    while i < bytes.count { if bytes[i] == byte { return i }; i += 1 }
    return nil
  }

  static func isNameEnd(_ c: UInt8) -> Bool { c == 0x3E || c == 0x2F || c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

  static func localName(_ name: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    guard let colon = name.lastIndex(of: 0x3A) else { return name }
    return name[(colon + 1)...]
  }

  /// `&lt; &gt; &amp; &quot; &apos; &#N; &#xH;` and `<![CDATA[…]]>`; only for text content.
  static func decode(_ text: String) -> String {
    var s = text
    if s.hasPrefix("<![CDATA["), s.hasSuffix("]]>") { return String(s.dropFirst(9).dropLast(3)) }
    guard s.contains("&") else { return s }
    var out = ""
    while let amp = s.firstIndex(of: "&") {
      out += s[..<amp]
      guard let semi = s[amp...].firstIndex(of: ";"), s.distance(from: amp, to: semi) <= 10 else { out += s[amp...]; s = ""; break }
      let entity = s[s.index(after: amp)..<semi]
      switch entity {
      case "lt": out += "<"
      case "gt": out += ">"
      case "amp": out += "&"
      case "quot": out += "\""
      case "apos": out += "'"
      default:
        let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst(), radix: 10) : nil
        if let number, let scalar = Unicode.Scalar(number) { out.unicodeScalars.append(scalar) } else { out += s[amp...semi] }
      }
      s = String(s[s.index(after: semi)...])
    }
    return out + s
  }
}
