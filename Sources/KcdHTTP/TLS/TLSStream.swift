import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// A server-side TLS session on an accepted socket (blocking OpenSSL calls, bounded by the
/// socket's receive and send timeouts).
final class TLSStream: ByteStream, @unchecked Sendable {
  // Used by one connection thread only.
  let socket: StreamSocket
  let ssl: OpaquePointer

  /// Runs the handshake; fails (and the connection closes) on a timeout or a bad client hello.
  init(socket: StreamSocket, context: TLSServerContext, timeoutSeconds: Int) throws(SocketError) {
    self.socket = socket
    TLSStream.blockBrokenPipeSignal()
    guard let s = SSL_new(context.context) else { throw .system("SSL_new", 0) }
    socket.setReceiveTimeout(seconds: timeoutSeconds)
    SSL_set_fd(s, socket.fd)
    if SSL_accept(s) != 1 {
      ERR_clear_error()
      SSL_free(s)
      throw .closed
    }
    // Assigned only now: once every property is set, a throw runs deinit, which would free
    // the session a second time.
    ssl = s
  }

  /// OpenSSL writes with write(2), which raises SIGPIPE when the peer has gone and would kill
  /// the process. Blocking it on this connection's own thread turns that into an EPIPE error.
  static func blockBrokenPipeSignal() {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGPIPE)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
  }

  deinit {
    SSL_shutdown(ssl)
    ERR_clear_error()
    SSL_free(ssl)
  }

  func waitReadable(until deadline: Double, slice: Double, stop: () -> Bool) throws(SocketError) {
    if SSL_pending(ssl) > 0 { return }
    try socket.waitReadable(until: deadline, slice: slice, stop: stop)
  }

  func read(max: Int) throws(SocketError) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: max)
    let n = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32(max)) }
    if n > 0 {
      buffer.removeSubrange(Int(n)...)
      return buffer
    }
    let code = SSL_get_error(ssl, n)
    ERR_clear_error()
    if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { throw .timedOut }
    throw .closed
  }

  func write(_ bytes: [UInt8]) throws(SocketError) {
    guard !bytes.isEmpty else { return }
    let n = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
    if n <= 0 {
      ERR_clear_error()
      throw .closed
    }
  }

  func peerHasClosed() -> Bool { socket.peerHasClosed() }
}
