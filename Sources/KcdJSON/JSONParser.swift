/// Why a document could not be parsed, with the byte offset where parsing stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String
  public let offset: Int
  public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

extension JSON {
  /// Nesting deeper than this is refused so hostile input cannot exhaust the stack.
  public static let maximumDepth = 256

  /// Parses one JSON document (RFC 8259); trailing bytes other than white space are an error.
  public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSON {
    let array = Array(bytes)
    return try array.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSON in
      var parser = JSONParser(buffer)
      return try parser.document()
    }
  }

  public static func parse(_ text: String) throws(JSONParseError) -> JSON {
    try parse(Array(text.utf8))
  }
}

struct JSONParser {
  let bytes: UnsafeBufferPointer<UInt8>
  var index = 0
  var depth = 0
  /// Containers may nest this deep (the top-level one is depth 1); a deeper one is refused, or cut
  /// when `truncates` is set.
  let depthLimit: Int
  let truncates: Bool
  /// Members of containers at this depth or shallower record their path; 0 turns tracking off, so
  /// the default parse pays one comparison per value and nothing else.
  let attributionDepth: Int
  var truncation = JSONTruncationLog()

  init(_ bytes: UnsafeBufferPointer<UInt8>, depthLimit: Int = JSON.maximumDepth, truncates: Bool = false,
    attributionDepth: Int = 0)
  {
    self.bytes = bytes
    self.depthLimit = depthLimit
    self.truncates = truncates
    self.attributionDepth = attributionDepth
  }

  mutating func document() throws(JSONParseError) -> JSON {
    skipWhitespace()
    let value = try parseValue()
    skipWhitespace()
    if index != bytes.count { throw fail("unexpected trailing data") }
    return value
  }

  func fail(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: index) }

  mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  mutating func parseValue() throws(JSONParseError) -> JSON {
    guard index < bytes.count else { throw fail("unexpected end of input") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw fail("unexpected character")
    }
  }

  mutating func literal(_ word: StaticString) throws(JSONParseError) {
    let count = word.utf8CodeUnitCount
    guard index + count <= bytes.count else { throw fail("unexpected end of input") }
    let start = word.utf8Start
    for i in 0..<count where bytes[index + i] != start[i] { throw fail("invalid literal") }
    index += count
  }

  mutating func parseObject() throws(JSONParseError) -> JSON {
    if depth >= depthLimit { return try tooDeep() }
    depth += 1
    defer { depth -= 1 }
    index += 1
    var object: [String: JSON] = [:]
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
      let key = try parseString()
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
      index += 1
      skipWhitespace()
      object[key] = try depth <= attributionDepth ? parseValue(at: .key(key)) : parseValue()
      skipWhitespace()
      guard index < bytes.count else { throw fail("unexpected end of input") }
      if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
      if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
      throw fail("expected ',' or '}'")
    }
  }

  mutating func parseArray() throws(JSONParseError) -> JSON {
    if depth >= depthLimit { return try tooDeep() }
    depth += 1
    defer { depth -= 1 }
    index += 1
    var array: [JSON] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
    while true {
      skipWhitespace()
      array.append(try depth <= attributionDepth ? parseValue(at: .index(array.count)) : parseValue())
      skipWhitespace()
      guard index < bytes.count else { throw fail("unexpected end of input") }
      if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
      if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
      throw fail("expected ',' or ']'")
    }
  }

  mutating func parseString() throws(JSONParseError) -> String {
    index += 1
    let start = index
    var ascii = true
    // Fast path: no escapes.
    while index < bytes.count {
      let c = bytes[index]
      if c == UInt8(ascii: "\"") {
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
        index += 1
        // ASCII needs no validation (and `String(validating:)` is not specialised: slow).
        if ascii { return String(decoding: slice, as: UTF8.self) }
        guard let s = String(validating: slice, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
        return s
      }
      if c >= 0x80 { ascii = false }
      if c == UInt8(ascii: "\\") { break }
      if c < 0x20 { throw fail("control character in string") }
      index += 1
    }
    var out = Array(bytes[start..<index])
    while index < bytes.count {
      let c = bytes[index]
      switch c {
      case UInt8(ascii: "\""):
        index += 1
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
        return s
      case UInt8(ascii: "\\"):
        index += 1
        guard index < bytes.count else { throw fail("unexpected end of input") }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"): try appendUnicodeEscape(&out)
        default: throw fail("invalid escape")
        }
      default:
        if c < 0x20 { throw fail("control character in string") }
        out.append(c)
        index += 1
      }
    }
    throw fail("unterminated string")
  }

  mutating func hex4() throws(JSONParseError) -> UInt32 {
    guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = bytes[index]
      let d: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw fail("invalid \\u escape")
      }
      v = v << 4 | d
      index += 1
    }
    return v
  }

  mutating func appendUnicodeEscape(_ out: inout [UInt8]) throws(JSONParseError) {
    let u = try unicodeEscape()
    out.append(contentsOf: Array(String(Character(u)).utf8))
  }

  /// Reads the hex digits after `\u` (and a following low surrogate), as a scalar.
  mutating func unicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
    var scalar = try hex4()
    if (0xD800...0xDBFF).contains(scalar) {
      guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
      else { throw fail("unpaired surrogate") }
      index += 2
      let low = try hex4()
      guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
      scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
    } else if (0xDC00...0xDFFF).contains(scalar) {
      throw fail("unpaired surrogate")
    }
    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
    return u
  }

  mutating func parseNumber() throws(JSONParseError) -> JSON {
    let start = index
    let isInteger = try scanNumber()
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    if isInteger, let i = Int64(text) { return .int(i) }
    guard let d = Double(text), d.isFinite else { throw fail("number out of range") }
    return .double(d)
  }

  /// Moves past one number (RFC 8259 grammar); true when it has no fraction or exponent.
  mutating func scanNumber() throws(JSONParseError) -> Bool {
    var isInteger = true
    if bytes[index] == UInt8(ascii: "-") { index += 1 }
    guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
    } else {
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      isInteger = false
      index += 1
      guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      isInteger = false
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
      guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
    return isInteger
  }

  func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}
