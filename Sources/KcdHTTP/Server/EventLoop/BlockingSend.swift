#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Complete writes on a non-blocking socket for threads that may block (stream writers): wait
/// for room with poll, give up when the peer takes nothing for `timeout` seconds.
enum BlockingSend {
  static func all(_ bytes: ArraySlice<UInt8>, to fd: Int32, timeout: Double) throws(SocketError) {
    let failure = bytes.withUnsafeBytes { p -> SocketError? in
      do throws(SocketError) { try all(p, to: fd, timeout: timeout) } catch { return error }
      return nil
    }
    if let failure { throw failure }
  }

  static func all(_ bytes: [UInt8], to fd: Int32, timeout: Double) throws(SocketError) {
    try all(bytes[...], to: fd, timeout: timeout)
  }

  static func all(_ bytes: UnsafeRawBufferPointer, to fd: Int32, timeout: Double) throws(SocketError) {
    var offset = 0
    while offset < bytes.count {
      let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
      if n > 0 { offset += n; continue }
      if n < 0 && errno == EINTR { continue }
      guard n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) else { throw .closed }
      var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
      let rc = poll(&p, 1, Int32(max(1, timeout * 1000)))
      if rc == 0 { throw .timedOut }
      if rc < 0 && errno != EINTR { throw .system("poll", errno) }
    }
  }
}
