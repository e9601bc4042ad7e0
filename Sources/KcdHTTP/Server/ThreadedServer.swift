#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// The engine for HTTPS: one accept thread and one thread per connection, since a TLS session
/// reads and writes with blocking OpenSSL calls. Handlers run on the connection's thread.
final class ThreadedServer: ServerEngine {
  let configuration: HTTPServerConfiguration
  let handler: any HTTPHandler
  let listener: Listener
  let stopping = Atomic<Bool>(false)
  let active = Atomic<Int>(0)
  let peers: PeerConnections
  let acceptDone = Atomic<Bool>(false)

  init(configuration: HTTPServerConfiguration, handler: any HTTPHandler) throws(SocketError) {
    self.configuration = configuration
    self.handler = handler
    peers = PeerConnections(limit: configuration.maximumConnectionsPerPeer)
    self.listener = try Listener.open(address: configuration.address)
    Threads.spawn { [self] in acceptLoop() }
  }

  var port: Int { listener.port }

  var activeConnections: Int { active.load(ordering: .relaxed) }

  var isStopping: Bool { stopping.load(ordering: .relaxed) }

  func acceptLoop() {
    while let (fd, peer) = listener.accept() {
      if isStopping { close(fd); break }
      // The listener's cap, then the peer's: one peer cannot take every connection.
      guard active.wrappingAdd(1, ordering: .relaxed).newValue <= configuration.maximumConnections, peers.open(peer) else {
        active.wrappingSubtract(1, ordering: .relaxed)
        HTTPServer.refuseBusy(fd)
        continue
      }
      let socket = StreamSocket(fd: fd)
      socket.setSendTimeout(seconds: configuration.sendTimeoutSeconds)
      socket.setNoDelay()
      let started = Threads.spawn { [self] in
        defer {
          active.wrappingSubtract(1, ordering: .relaxed)
          peers.close(peer)
        }
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
        peers.close(peer)
        HTTPServer.refuseBusy(dup(fd))
      }
    }
    acceptDone.store(true, ordering: .relaxed)
  }

  func shutdown(grace: Double) {
    if stopping.exchange(true, ordering: .relaxed) { return }
    listener.shutdownAndClose()
    let deadline = monotonicSeconds() + grace
    while (active.load(ordering: .relaxed) > 0 || !acceptDone.load(ordering: .relaxed)) && monotonicSeconds() < deadline {
      usleep(10_000)
    }
  }

  deinit { shutdown(grace: 0) }
}
