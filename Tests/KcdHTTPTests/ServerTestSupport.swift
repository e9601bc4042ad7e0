#if canImport(Glibc)
import Glibc
#endif
import KcdHTTP
import KcdTestSupport
import Synchronization

/// Answers every request with what arrived ("METHOD target\nbody"), so tests can check that
/// heads and bodies were framed exactly right.
let echoHandler = HTTPClosureHandler { request in
  .text(200, "\(request.method) \(request.target)\n" + String(decoding: request.body, as: UTF8.self))
}

/// Small limits so every refusal is cheap to provoke, and timeouts long enough that only the
/// tests about timeouts ever hit one.
func testConfiguration(_ tweak: (inout HTTPServerConfiguration) -> Void = { _ in }) -> HTTPServerConfiguration {
  var configuration = HTTPServerConfiguration(address: "127.0.0.1:0")
  configuration.maximumHeadBytes = 1024
  configuration.maximumHeaderCount = 20
  configuration.maximumBodyBytes = 64
  configuration.headerTimeout = 5
  configuration.bodyTimeout = 5
  configuration.idleTimeout = 10
  configuration.sendTimeoutSeconds = 5
  tweak(&configuration)
  return configuration
}

/// Timeouts short enough to wait out in a test (the brief's 0.5 s header timeout).
func strictConfiguration(_ tweak: (inout HTTPServerConfiguration) -> Void = { _ in }) -> HTTPServerConfiguration {
  testConfiguration {
    $0.headerTimeout = 0.5
    $0.bodyTimeout = 0.5
    $0.idleTimeout = 1
    tweak(&$0)
  }
}

/// A request as raw text, with Host and (when there is a body) Content-Length.
func rawRequest(_ method: String, _ target: String, headers: [String] = [], body: String = "") -> String {
  var text = "\(method) \(target) HTTP/1.1\r\nHost: test\r\n"
  for line in headers { text += line + "\r\n" }
  if !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
  return text + "\r\n" + body
}

/// Polls `condition` every 10 ms until it holds or `timeout` seconds pass.
func eventually(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
  let deadline = now() + timeout
  while now() < deadline {
    if condition() { return true }
    usleep(10_000)
  }
  return condition()
}

/// True when nothing listens on the port any more.
func refusesConnections(port: Int) -> Bool { (try? RawConnection(port: port)) == nil }

/// Reads raw bytes from `connection` into `buffer` until `marker` appears; false on timeout or
/// end of stream. For tests that must see bytes arrive before the server has finished.
func receive(_ connection: RawConnection, into buffer: inout [UInt8], until marker: String, timeout: Double = 10) -> Bool {
  let pattern = Array(marker.utf8)
  let deadline = now() + timeout
  var chunk = [UInt8](repeating: 0, count: 4096)
  while !contains(buffer, pattern) {
    let remaining = deadline - now()
    if remaining <= 0 { return false }
    var p = pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
    guard poll(&p, 1, Int32(remaining * 1000) + 1) > 0 else { continue }
    let n = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, 4096, 0) }
    if n <= 0 { return contains(buffer, pattern) }
    buffer.append(contentsOf: chunk[0..<n])
  }
  return true
}

private func contains(_ buffer: [UInt8], _ pattern: [UInt8]) -> Bool {
  guard buffer.count >= pattern.count else { return false }
  for start in 0...(buffer.count - pattern.count) where buffer[start..<(start + pattern.count)].elementsEqual(pattern) {
    return true
  }
  return false
}

/// A one-way gate between a test and a handler thread.
final class Latch: Sendable {
  private let state = Mutex(false)

  func open() { state.withLock { $0 = true } }

  var isOpen: Bool { state.withLock { $0 } }

  /// False when the deadline passed first.
  func wait(timeout: Double = 10) -> Bool { eventually(timeout: timeout) { isOpen } }
}

/// The last request a handler saw, shared with the test thread.
final class SeenRequest: Sendable {
  private let last = Mutex<HTTPRequest?>(nil)

  func record(_ request: HTTPRequest) { last.withLock { $0 = request } }

  var request: HTTPRequest? { last.withLock { $0 } }
}
