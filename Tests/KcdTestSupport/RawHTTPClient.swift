#if canImport(Glibc)
import Glibc
#endif

/// A deliberately simple HTTP/1.1 client over a plain socket for tests: it can send malformed
/// bytes on purpose, keep a connection open, and read back exactly what a server wrote.
public final class RawConnection: @unchecked Sendable {
  public let fd: Int32
  var pending: [UInt8] = []

  /// `from`: a local address to send from (another loopback address is another peer).
  public init(port: Int, host: String = "127.0.0.1", from source: String? = nil) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    if let source {
      var local = sockaddr_in()
      local.sin_family = sa_family_t(AF_INET)
      inet_pton(AF_INET, source, &local.sin_addr)
      let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
      guard bound == 0 else { close(fd); throw SubprocessError(description: "bind to \(source) failed: \(String(cString: strerror(errno)))") }
    }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = UInt16(port).bigEndian
    inet_pton(AF_INET, host, &addr.sin_addr)
    let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard rc == 0 else { close(fd); throw SubprocessError(description: "connect to \(host):\(port) failed: \(String(cString: strerror(errno)))") }
    var tv = timeval(tv_sec: 15, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
  }

  deinit { close(fd) }

  public func send(_ text: String) { send(Array(text.utf8)) }

  public func send(_ bytes: [UInt8]) {
    var off = 0
    while off < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + off, bytes.count - off, Int32(MSG_NOSIGNAL)) }
      if n <= 0 { return }
      off += n
    }
  }

  /// Reads until the peer closes (or the receive timeout); everything it sent.
  public func readAll() -> String {
    var out = pending
    pending = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
      if n <= 0 { break }
      out.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// True when the server has sent something (or closed) within `timeout`.
  public func hasData(timeout: Double) -> Bool {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&p, 1, Int32(timeout * 1000)) > 0
  }

  /// True when the server has closed the connection (read returns 0 within `timeout`).
  public func isClosedByPeer(timeout: Double = 2) -> Bool {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&p, 1, Int32(timeout * 1000)) > 0 else { return false }
    var b: UInt8 = 0
    return recv(fd, &b, 1, Int32(MSG_PEEK)) == 0
  }

  /// Reads one response (Content-Length or chunked framing).
  public func readResponse() -> HTTPTestResponse? {
    func fill() -> Bool {
      var chunk = [UInt8](repeating: 0, count: 65536)
      let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
      if n <= 0 { return false }
      pending.append(contentsOf: chunk[0..<n])
      return true
    }
    func find(_ pattern: [UInt8], from: Int = 0) -> Int? {
      guard pending.count >= pattern.count + from else { return nil }
      for i in from...(pending.count - pattern.count) where Array(pending[i..<(i + pattern.count)]) == pattern { return i }
      return nil
    }
    var headEnd = find([13, 10, 13, 10])
    while headEnd == nil { guard fill() else { return nil }; headEnd = find([13, 10, 13, 10]) }
    let head = String(decoding: pending[0..<headEnd!], as: UTF8.self)
    pending.removeFirst(headEnd! + 4)
    var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
    let statusLine = lines.removeFirst()
    let status = Int(statusLine.split(separator: " ")[1]) ?? 0
    var headers: [(String, String)] = []
    for l in lines { if let c = l.firstIndex(of: ":") { headers.append((String(l[..<c]).lowercased(), String(l[l.index(after: c)...]).trimmingCharacters())) } }
    var response = HTTPTestResponse(status: status, headers: headers, body: [])
    if status == 100 || status == 101 { return response }
    if let te = response.header("transfer-encoding"), te.lowercased() == "chunked" {
      var body: [UInt8] = []
      while true {
        var lineEnd = find([13, 10])
        while lineEnd == nil { guard fill() else { response.body = body; return response }; lineEnd = find([13, 10]) }
        let size = Int(String(decoding: pending[0..<lineEnd!], as: UTF8.self), radix: 16) ?? 0
        pending.removeFirst(lineEnd! + 2)
        while pending.count < size + 2 { guard fill() else { response.body = body; return response } }
        body.append(contentsOf: pending[0..<size])
        pending.removeFirst(size + 2)
        if size == 0 { break }
      }
      response.body = body
    } else if let cl = response.header("content-length"), let n = Int(cl) {
      while pending.count < n { guard fill() else { break } }
      response.body = Array(pending.prefix(n))
      pending.removeFirst(min(n, pending.count))
    }
    return response
  }
}

public struct HTTPTestResponse: Sendable {
  public var status: Int
  public var headers: [(String, String)]
  public var body: [UInt8]
  public var text: String { String(decoding: body, as: UTF8.self) }
  public func header(_ name: String) -> String? { headers.first { $0.0 == name.lowercased() }?.1 }
}

extension String {
  func trimmingCharacters() -> String {
    var s = self[...]
    while s.first == " " { s = s.dropFirst() }
    while s.last == " " { s = s.dropLast() }
    return String(s)
  }
}

/// One request on a new connection.
public func httpRequest(port: Int, method: String, path: String, headers: [String: String] = [:], body: String = "") throws -> HTTPTestResponse {
  let c = try RawConnection(port: port)
  var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
  for (k, v) in headers { text += "\(k): \(v)\r\n" }
  if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) { text += "Content-Length: \(body.utf8.count)\r\n" }
  text += "\r\n" + body
  c.send(text)
  guard let r = c.readResponse() else { throw SubprocessError(description: "no response to \(method) \(path)") }
  return r
}
