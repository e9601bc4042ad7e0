#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// An HTTP/1.1 server on plain sockets: one accept thread, one thread per connection (handlers
/// may block), a cap on connections, and graceful shutdown that lets in-flight requests finish.
public final class HTTPServer: Sendable {
  public let configuration: HTTPServerConfiguration
  let handler: any HTTPHandler
  let listener: Listener
  let stopping = Atomic<Bool>(false)
  let active = Atomic<Int>(0)
  let acceptDone = Atomic<Bool>(false)

  /// The bound port (useful when the configuration asked for port 0).
  public var port: Int { listener.port }

  /// Binds, listens and starts accepting.
  public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler) throws(SocketError) {
    self.configuration = configuration
    self.handler = handler
    // OpenSSL writes to sockets without MSG_NOSIGNAL: a peer that hangs up mid-response must
    // be an error on that connection, not SIGPIPE for the whole process.
    signal(SIGPIPE, SIG_IGN)
    self.listener = try Listener.open(address: configuration.address)
    Threads.spawn { [self] in acceptLoop() }
  }

  public var activeConnections: Int { active.load(ordering: .relaxed) }

  var isStopping: Bool { stopping.load(ordering: .relaxed) }

  func acceptLoop() {
    while let (fd, peer) = listener.accept() {
      if isStopping { close(fd); break }
      let count = active.wrappingAdd(1, ordering: .relaxed).newValue
      if count > configuration.maximumConnections {
        active.wrappingSubtract(1, ordering: .relaxed)
        HTTPServer.refuseBusy(fd)
        continue
      }
      let socket = StreamSocket(fd: fd)
      socket.setSendTimeout(seconds: configuration.sendTimeoutSeconds)
      socket.setNoDelay()
      let started = Threads.spawn { [self] in
        defer { active.wrappingSubtract(1, ordering: .relaxed) }
        var stream: any ByteStream = socket
        if let tls = configuration.tls {
          guard let session = try? TLSStream(socket: socket, context: tls, timeoutSeconds: Int(configuration.headerTimeout.rounded(.up))) else { return }
          stream = session
        }
        var connection = Connection(server: self, socket: stream, peer: peer)
        connection.run()
      }
      if !started {
        // No thread for it (resource limits): answer like the connection cap, keep the count right.
        active.wrappingSubtract(1, ordering: .relaxed)
        HTTPServer.refuseBusy(dup(fd))
      }
    }
    acceptDone.store(true, ordering: .relaxed)
  }

  /// Over the connection cap: a short 503 written without blocking, then close.
  static func refuseBusy(_ fd: Int32) {
    let text = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\nContent-Length: 20\r\nConnection: close\r\n\r\ntoo many connections"
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    close(fd)
  }

  /// Stops accepting, lets in-flight requests finish (up to `grace` seconds), closes idle
  /// connections and ends streams.
  public func shutdown(grace: Double = 10) {
    if stopping.exchange(true, ordering: .relaxed) { return }
    listener.shutdownAndClose()
    let deadline = monotonicSeconds() + grace
    while (active.load(ordering: .relaxed) > 0 || !acceptDone.load(ordering: .relaxed)) && monotonicSeconds() < deadline {
      usleep(10_000)
    }
  }

  deinit { shutdown(grace: 0) }
}
