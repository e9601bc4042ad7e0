/// Writes response heads as bytes straight into a connection's output, with the same framing
/// rules as the threaded engine: the handler's own `Content-Length` and `Transfer-Encoding`
/// are dropped and the server's replace them, so a handler cannot smuggle framing.
enum ResponseEncoder {
  static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
  static let lastChunk = Array("0\r\n\r\n".utf8)

  /// `bodyLength` nil means chunked.
  static func appendHead(_ response: HTTPResponse, keepAlive: Bool, bodyLength: Int?, to out: inout [UInt8]) {
    appendStatusLine(response.status, to: &out)
    for (name, value) in response.headers where !HTTPHeaders.same(name, "Content-Length") && !HTTPHeaders.same(name, "Transfer-Encoding") {
      out.append(contentsOf: name.utf8)
      out.append(0x3A)
      out.append(0x20)
      out.append(contentsOf: value.utf8)
      out.append(0x0D)
      out.append(0x0A)
    }
    if !keepAlive { out.append(contentsOf: "Connection: close\r\n".utf8) }
    if let bodyLength {
      out.append(contentsOf: "Content-Length: ".utf8)
      appendDecimal(bodyLength, to: &out)
      out.append(contentsOf: [0x0D, 0x0A, 0x0D, 0x0A])
    } else {
      out.append(contentsOf: "Transfer-Encoding: chunked\r\n\r\n".utf8)
    }
  }

  /// The answer to a request refused before it reached the handler; the connection then closes.
  static func appendError(_ error: HTTPParseError, to out: inout [UInt8]) {
    let body = Array((error.message + "\n").utf8)
    appendStatusLine(error.status, to: &out)
    out.append(contentsOf: "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ".utf8)
    appendDecimal(body.count, to: &out)
    out.append(contentsOf: "\r\nConnection: close\r\n\r\n".utf8)
    out.append(contentsOf: body)
  }

  /// One chunk of a chunked body: size in hex, CRLF, data, CRLF.
  static func chunk(_ bytes: [UInt8]) -> [UInt8] {
    var frame = Array(String(bytes.count, radix: 16).utf8)
    frame.reserveCapacity(frame.count + bytes.count + 4)
    frame.append(contentsOf: [0x0D, 0x0A])
    frame.append(contentsOf: bytes)
    frame.append(contentsOf: [0x0D, 0x0A])
    return frame
  }

  static func appendStatusLine(_ status: Int, to out: inout [UInt8]) {
    out.append(contentsOf: "HTTP/1.1 ".utf8)
    appendDecimal(status, to: &out)
    out.append(0x20)
    out.append(contentsOf: HTTPResponse.reason(status).utf8)
    out.append(0x0D)
    out.append(0x0A)
  }

  static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
    if value >= 0 && value < 10 { out.append(UInt8(48 + value)); return }
    out.append(contentsOf: String(value).utf8)
  }
}
