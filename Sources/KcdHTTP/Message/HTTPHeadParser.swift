/// Why a request was refused before reaching a handler; `status` is what the client is told.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
  public let status: Int
  public let message: String
  public var description: String { "\(status) \(message)" }

  static func bad(_ message: String) -> HTTPParseError { HTTPParseError(status: 400, message: message) }
}

/// The request line and header fields, before the body is read.
public struct HTTPRequestHead: Sendable {
  public var method: String
  public var target: String
  public var version: HTTPVersion
  public var headers: HTTPHeaders

  /// How the body is framed, decided once here so no later code can disagree (no smuggling).
  public enum Framing: Sendable, Equatable { case none, length(Int), chunked }
  public var framing: Framing
}

/// A pure parser over the bytes of a request head (up to, not including, the blank line), so it
/// can be unit-tested and fuzzed without sockets.
public enum HTTPHeadParser {
  public static let maximumHeaderCount = 100

  public static func parse(_ bytes: ArraySlice<UInt8>, maximumHeaderCount: Int = maximumHeaderCount) throws(HTTPParseError) -> HTTPRequestHead {
    var lines: [ArraySlice<UInt8>] = []
    var start = bytes.startIndex
    var i = bytes.startIndex
    while i < bytes.endIndex {
      if bytes[i] == 0x0A {
        var end = i
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        lines.append(bytes[start..<end])
        start = i + 1
      }
      i += 1
    }
    if start < bytes.endIndex { lines.append(bytes[start..<bytes.endIndex]) }
    guard let requestLine = lines.first else { throw .bad("empty request") }
    let (method, target, version) = try parseRequestLine(requestLine)
    var headers = HTTPHeaders()
    for line in lines.dropFirst() {
      if line.isEmpty { continue }
      if headers.count >= maximumHeaderCount { throw HTTPParseError(status: 431, message: "too many header fields") }
      if line.first == 0x20 || line.first == 0x09 { throw .bad("obsolete line folding is not accepted") }
      guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .bad("header line without ':'") }
      let nameBytes = line[line.startIndex..<colon]
      guard !nameBytes.isEmpty, nameBytes.allSatisfy(isTokenChar) else { throw .bad("invalid header name") }
      var valueBytes = line[(colon + 1)...]
      while let f = valueBytes.first, f == 0x20 || f == 0x09 { valueBytes = valueBytes.dropFirst() }
      while let l = valueBytes.last, l == 0x20 || l == 0x09 { valueBytes = valueBytes.dropLast() }
      var ascii = true
      for c in valueBytes {
        if (c < 0x20 && c != 0x09) || c == 0x7F { throw .bad("control character in header value") }
        if c >= 0x80 { ascii = false }
      }
      // ASCII (nearly every value) needs no UTF-8 validation.
      let value: String
      if ascii {
        value = String(decoding: valueBytes, as: UTF8.self)
      } else {
        guard let v = String(validating: valueBytes, as: UTF8.self) else { throw .bad("header value is not UTF-8") }
        value = v
      }
      headers.add(String(decoding: nameBytes, as: UTF8.self), value)
    }
    let framing = try framing(headers)
    if version == .http11 && !headers.contains("Host") { throw .bad("missing Host header") }
    return HTTPRequestHead(method: method, target: target, version: version, headers: headers, framing: framing)
  }

  static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String, HTTPVersion) {
    let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
    guard parts.count == 3 else { throw .bad("malformed request line") }
    guard !parts[0].isEmpty, parts[0].allSatisfy(isTokenChar) else { throw .bad("invalid method") }
    guard let first = parts[1].first, first == UInt8(ascii: "/") || parts[1].elementsEqual("*".utf8),
      parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
    else { throw .bad("invalid request target") }
    let version: HTTPVersion
    if parts[2].elementsEqual("HTTP/1.1".utf8) {
      version = .http11
    } else if parts[2].elementsEqual("HTTP/1.0".utf8) {
      version = .http10
    } else if parts[2].starts(with: "HTTP/".utf8) {
      throw HTTPParseError(status: 505, message: "unsupported HTTP version")
    } else {
      throw .bad("malformed request line")
    }
    return (String(decoding: parts[0], as: UTF8.self), String(decoding: parts[1], as: UTF8.self), version)
  }

  /// RFC 9112 §6.3: Transfer-Encoding with Content-Length, several or invalid Content-Length
  /// values, or a coding other than chunked are refused outright.
  static func framing(_ headers: HTTPHeaders) throws(HTTPParseError) -> HTTPRequestHead.Framing {
    let lengths = headers.values("Content-Length")
    let codings = headers.values("Transfer-Encoding")
    if !codings.isEmpty {
      guard lengths.isEmpty else { throw .bad("both Transfer-Encoding and Content-Length") }
      let tokens = codings.joined(separator: ",").split(separator: ",").map { $0.trimmingSpaces().lowercased() }
      guard tokens == ["chunked"] else { throw HTTPParseError(status: 501, message: "unsupported transfer coding") }
      return .chunked
    }
    guard !lengths.isEmpty else { return .none }
    guard lengths.count == 1 else { throw .bad("several Content-Length fields") }
    let text = lengths[0]
    guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(text)
    else { throw .bad("invalid Content-Length") }
    return n == 0 ? .none : .length(n)
  }

  static func isTokenChar(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
      UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"),
      UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"),
      UInt8(ascii: "~"):
      return true
    default:
      return false
    }
  }
}
