import KcdCore

#if canImport(Glibc)
import Glibc
#endif

/// A plain-socket HTTP/1.1 client connection to a loopback port: no libcurl, no pool, no
/// retries, so a timing covers one request leaving and its response arriving, nothing else.
final class LoopbackConnection {
  let fd: Int32
  var pending: [UInt8] = []

  /// Connects to 127.0.0.1:`port`; reads give up after `timeout` seconds.
  init(port: Int, timeout: Double = 30, from source: String? = nil) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ScaleError("socket: \(String(cString: strerror(errno)))") }
    if let source {
      // Another loopback address (127.0.0.0/8 is all local): another peer to the server.
      var local = sockaddr_in()
      local.sin_family = sa_family_t(AF_INET)
      inet_pton(AF_INET, source, &local.sin_addr)
      let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
      guard bound == 0 else {
        close(fd)
        throw ScaleError("bind \(source): \(String(cString: strerror(errno)))")
      }
    }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = UInt16(port).bigEndian
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
    let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard rc == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw ScaleError("connect 127.0.0.1:\(port): \(reason)")
    }
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    setReadTimeout(timeout)
  }

  /// How long a read may wait for the peer.
  func setReadTimeout(_ seconds: Double) {
    let t = max(0.001, seconds)
    var tv = timeval(tv_sec: Int(t), tv_usec: Int((t - t.rounded(.down)) * 1_000_000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
  }

  /// How long a send may wait for the peer to take bytes.
  func setSendTimeout(_ seconds: Double) {
    let t = max(0.001, seconds)
    var tv = timeval(tv_sec: Int(t), tv_usec: Int((t - t.rounded(.down)) * 1_000_000))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
  }

  deinit { close(fd) }

  func send(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw ScaleError("send: \(String(cString: strerror(errno)))") }
      offset += n
    }
  }

  /// Reads one response: the status code and body (Content-Length, or up to the connection's end).
  func readResponse() throws -> (status: Int, body: [UInt8]) {
    var headEnd: Int? = nil
    while headEnd == nil {
      headEnd = LoopbackConnection.headEnd(pending)
      if headEnd == nil { guard try fill() else { throw ScaleError("connection closed before a response") } }
    }
    let head = String(decoding: pending[..<headEnd!], as: UTF8.self)
    let lines = head.split(separator: "\r\n")
    let status = lines.first.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
    let length = lines.dropFirst().compactMap { line -> Int? in
      let parts = line.split(separator: ":", maxSplits: 1)
      guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
      return Int(parts[1].filter { $0 != " " && $0 != "\t" })
    }.first
    let bodyStart = headEnd! + 4
    if let length {
      while pending.count < bodyStart + length { guard try fill() else { break } }
      let body = Array(pending[bodyStart..<min(pending.count, bodyStart + length)])
      pending.removeFirst(min(pending.count, bodyStart + length))
      return (status, body)
    }
    while try fill() {}
    let body = Array(pending[bodyStart...])
    pending.removeAll()
    return (status, body)
  }

  /// One request and its response.
  func exchange(_ request: [UInt8]) throws -> (status: Int, body: [UInt8]) {
    try send(request)
    return try readResponse()
  }

  func fill() throws -> Bool {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { throw ScaleError("recv: \(String(cString: strerror(errno)))") }
      if n == 0 { return false }
      pending.append(contentsOf: buffer[0..<n])
      return true
    }
  }

  static func headEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
    return nil
  }

  /// The bytes of a request; `close` asks the server to end the connection after answering.
  static func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = [], close: Bool = false) -> [UInt8] {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for (k, v) in headers { head += "\(k): \(v)\r\n" }
    if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
    if close { head += "Connection: close\r\n" }
    return Array((head + "\r\n").utf8) + body
  }

  /// A GET on a fresh connection; nil when the port does not answer.
  static func get(port: Int, path: String, timeout: Double = 10) -> (status: Int, body: [UInt8])? {
    guard let c = try? LoopbackConnection(port: port, timeout: timeout) else { return nil }
    return try? c.exchange(request("GET", path, close: true))
  }
}
