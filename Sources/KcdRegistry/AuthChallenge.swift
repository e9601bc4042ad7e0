/// One challenge of a `WWW-Authenticate` header (RFC 7235 §4.1, RFC 6750 §3):
/// `Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull,push"`.
/// Registries quote values that contain commas (`scope`), so a split on commas is wrong.
public struct AuthChallenge: Sendable, Equatable {
  /// Lower-cased: `bearer`, `basic`.
  public let scheme: String
  /// Parameter names lower-cased; values unquoted and unescaped.
  public let parameters: [String: String]

  public init(scheme: String, parameters: [String: String]) {
    self.scheme = scheme.lowercased()
    self.parameters = parameters
  }

  public subscript(_ name: String) -> String? { parameters[name.lowercased()] }

  /// Every challenge in every given header field, in order.
  public static func parse(headers: [String]) -> [AuthChallenge] { headers.flatMap { parse($0) } }

  /// Every challenge in one header value; malformed parts are skipped, never fatal, because
  /// the header comes from a server we do not control.
  public static func parse(_ header: String) -> [AuthChallenge] {
    var scanner = ChallengeScanner(bytes: Array(header.utf8))
    return scanner.challenges()
  }
}

/// A byte scanner for the challenge grammar, lenient where real servers are sloppy
/// (unquoted values with `/` or `:` in them, spaces around `=`).
struct ChallengeScanner {
  let bytes: [UInt8]
  var i = 0

  mutating func challenges() -> [AuthChallenge] {
    var result: [AuthChallenge] = []
    var scheme: String?
    var parameters: [String: String] = [:]
    func finish() {
      if let s = scheme { result.append(AuthChallenge(scheme: s, parameters: parameters)) }
    }
    while true {
      skip { $0 == 0x20 || $0 == 0x09 || $0 == 0x2C }
      guard i < bytes.count else { break }
      guard let name = token() else { skipPastComma(); continue }
      skip { $0 == 0x20 || $0 == 0x09 }
      if i < bytes.count, bytes[i] == 0x3D {
        if isToken68Padding() { skipPastComma(); continue }
        i += 1
        skip { $0 == 0x20 || $0 == 0x09 }
        let value = i < bytes.count && bytes[i] == 0x22 ? quoted() : bare()
        if scheme != nil { parameters[name.lowercased()] = value }
      } else {
        finish()
        scheme = name
        parameters = [:]
      }
    }
    finish()
    return result
  }

  /// `=` that ends a token68 (`Negotiate abc==`) rather than starting a value.
  func isToken68Padding() -> Bool {
    var j = i
    while j < bytes.count, bytes[j] == 0x3D { j += 1 }
    if j - i > 1 { return true }
    while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
    return j >= bytes.count || bytes[j] == 0x2C
  }

  mutating func skip(_ predicate: (UInt8) -> Bool) {
    while i < bytes.count, predicate(bytes[i]) { i += 1 }
  }

  mutating func skipPastComma() {
    var inQuotes = false
    while i < bytes.count {
      let c = bytes[i]
      i += 1
      if c == 0x22 { inQuotes.toggle() } else if c == 0x5C, inQuotes { i += 1 } else if c == 0x2C, !inQuotes { return }
    }
  }

  /// RFC 9110 tchar.
  static func isTokenByte(_ c: UInt8) -> Bool {
    if (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) { return true }
    return Array("!#$%&'*+-.^_`|~".utf8).contains(c)
  }

  mutating func token() -> String? {
    let start = i
    while i < bytes.count, ChallengeScanner.isTokenByte(bytes[i]) { i += 1 }
    return i > start ? String(decoding: bytes[start..<i], as: UTF8.self) : nil
  }

  /// An unquoted value: up to the next comma or space.
  mutating func bare() -> String {
    let start = i
    while i < bytes.count, bytes[i] != 0x2C, bytes[i] != 0x20, bytes[i] != 0x09 { i += 1 }
    return String(decoding: bytes[start..<i], as: UTF8.self)
  }

  /// A quoted-string with backslash escapes; an unterminated one runs to the end.
  mutating func quoted() -> String {
    i += 1
    var out: [UInt8] = []
    while i < bytes.count {
      let c = bytes[i]
      i += 1
      if c == 0x22 { break }
      if c == 0x5C, i < bytes.count { out.append(bytes[i]); i += 1; continue }
      out.append(c)
    }
    return String(decoding: out, as: UTF8.self)
  }
}
