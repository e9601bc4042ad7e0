/// A parsed request: head fields plus the whole body (bodies are size-capped by the server).
public struct HTTPRequest: Sendable {
  public var method: String
  /// The request target exactly as sent (`/path?query`).
  public var target: String
  /// The percent-decoded path without the query.
  public var path: String
  /// Decoded query parameters in order; `+` means space, as Go's `url.ParseQuery` reads it.
  public var query: [(name: String, value: String)]
  public var version: HTTPVersion
  public var headers: HTTPHeaders
  public var body: [UInt8]
  /// Peer address, for logs.
  public var remoteAddress: String

  public init(
    method: String, target: String, version: HTTPVersion = .http11, headers: HTTPHeaders = HTTPHeaders(),
    body: [UInt8] = [], remoteAddress: String = ""
  ) {
    self.method = method
    self.target = target
    let (path, query) = HTTPRequest.split(target: target)
    self.path = path
    self.query = query
    self.version = version
    self.headers = headers
    self.body = body
    self.remoteAddress = remoteAddress
  }

  /// First value of a query parameter.
  public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

  /// Path split into non-empty segments (on the UTF-8 bytes: `/` is ASCII, so the slices are
  /// valid, and no grapheme breaking is needed).
  public var pathSegments: [Substring] {
    var out: [Substring] = []
    let bytes = path.utf8
    var start = bytes.startIndex
    var i = start
    while i < bytes.endIndex {
      if bytes[i] == UInt8(ascii: "/") {
        if start < i { out.append(path[start..<i]) }
        start = bytes.index(after: i)
      }
      i = bytes.index(after: i)
    }
    if start < bytes.endIndex { out.append(path[start..<bytes.endIndex]) }
    return out
  }

  /// Whether the connection stays open after this request (RFC 9112 §9.3).
  public var wantsKeepAlive: Bool {
    let values = headers.values("Connection")
    if values.isEmpty { return version == .http11 }
    let connection = values.joined(separator: ",").lowercased()
    let tokens = connection.split(separator: ",").map { $0.trimmingSpaces() }
    if tokens.contains("close") { return false }
    if version == .http10 { return tokens.contains("keep-alive") }
    return true
  }

  static func split(target: String) -> (String, [(name: String, value: String)]) {
    guard let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (PercentDecoding.decode(target, plusIsSpace: false), []) }
    let path = PercentDecoding.decode(String(target[..<q]), plusIsSpace: false)
    var query: [(name: String, value: String)] = []
    for pair in target[target.index(after: q)...].split(separator: "&", omittingEmptySubsequences: true) {
      if let eq = pair.firstIndex(of: "=") {
        query.append((PercentDecoding.decode(String(pair[..<eq]), plusIsSpace: true),
                      PercentDecoding.decode(String(pair[pair.index(after: eq)...]), plusIsSpace: true)))
      } else {
        query.append((PercentDecoding.decode(String(pair), plusIsSpace: true), ""))
      }
    }
    return (path, query)
  }
}

public enum HTTPVersion: Sendable, Equatable {
  case http10, http11
  var text: String { self == .http10 ? "HTTP/1.0" : "HTTP/1.1" }
}

extension Substring {
  /// Leading and trailing spaces and tabs removed.
  public func trimmingSpaces() -> String {
    var s = self[...]
    while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
    return String(s)
  }
}

extension String {
  /// Leading and trailing spaces and tabs removed (FoundationEssentials has no trimming API).
  public func trimmingSpaces() -> String { self[...].trimmingSpaces() }
}

/// Percent-decoding for paths and query strings; invalid escapes are kept literally.
public enum PercentDecoding {
  public static func decode(_ s: String, plusIsSpace: Bool) -> String {
    guard s.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else { return s }
    var out: [UInt8] = []
    let bytes = Array(s.utf8)
    var i = 0
    while i < bytes.count {
      let c = bytes[i]
      if c == UInt8(ascii: "%"), i + 2 < bytes.count, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
        out.append(h << 4 | l)
        i += 3
      } else if plusIsSpace && c == UInt8(ascii: "+") {
        out.append(0x20)
        i += 1
      } else {
        out.append(c)
        i += 1
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Percent-encodes everything but unreserved characters (RFC 3986).
  public static func encode(_ s: String) -> String {
    var out = ""
    for c in s.utf8 {
      switch c {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(c))
      default:
        let digits = Array("0123456789ABCDEF".unicodeScalars)
        out.unicodeScalars.append("%")
        out.unicodeScalars.append(digits[Int(c >> 4)])
        out.unicodeScalars.append(digits[Int(c & 0xF)])
      }
    }
    return out
  }

  static func hex(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
  }
}
