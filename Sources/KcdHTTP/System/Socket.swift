#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Socket-level failures; `closed` means the peer went away (normal end of a connection).
public enum SocketError: Error, Sendable, Equatable {
  case closed
  case timedOut
  case system(String, Int32)
}

/// A thin owner of a connected stream socket's descriptor with deadline-aware reads and
/// complete writes that never raise SIGPIPE.
final class StreamSocket: @unchecked Sendable {
  let fd: Int32

  init(fd: Int32) { self.fd = fd }

  deinit { close(fd) }

  /// Waits until readable or the deadline passes (monotonic seconds); `slice` bounds each wait
  /// so the caller can notice shutdown.
  func waitReadable(until deadline: Double, slice: Double, stop: () -> Bool) throws(SocketError) {
    while true {
      if stop() { throw .closed }
      let remaining = deadline - monotonicSeconds()
      if remaining <= 0 { throw .timedOut }
      var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let ms = Int32(max(1, min(remaining, slice) * 1000))
      let rc = poll(&p, 1, ms)
      if rc > 0 { return }
      if rc < 0 && errno != EINTR { throw .system("poll", errno) }
    }
  }

  /// Reads what is available (at most `max` bytes); throws `.closed` at end of stream.
  func read(max: Int) throws(SocketError) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: max)
    while true {
      let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
      if n > 0 { buffer.removeSubrange(n...); return buffer }
      if n == 0 { throw .closed }
      if errno == EINTR { continue }
      if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut }
      if errno == ECONNRESET { throw .closed }
      throw .system("recv", errno)
    }
  }

  func write(_ bytes: [UInt8]) throws(SocketError) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
      if n > 0 { offset += n; continue }
      if n < 0 && errno == EINTR { continue }
      if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw .timedOut }
      throw .closed
    }
  }

  /// True when the peer has closed its side (a readable socket with no data).
  func peerHasClosed() -> Bool { StreamSocket.peerHasClosed(fd) }

  static func peerHasClosed(_ fd: Int32) -> Bool {
    let rdhup: Int16 = 0x2000  // POLLRDHUP, a GNU extension Swift's Glibc module does not export
    var p = pollfd(fd: fd, events: Int16(POLLIN) | rdhup, revents: 0)
    guard poll(&p, 1, 0) > 0 else { return false }
    let hangup: Int16 = Int16(POLLHUP) | Int16(POLLERR) | rdhup
    if p.revents & hangup != 0 { return true }
    var byte: UInt8 = 0
    let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
    return n == 0
  }

  func setReceiveTimeout(seconds: Int) {
    var tv = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
  }

  func setSendTimeout(seconds: Int) {
    var tv = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
  }

  func setNoDelay() {
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
  }
}
