#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An HTTP/1.1 server with a cap on connections and graceful shutdown that lets in-flight
/// requests finish. Plain HTTP runs on epoll event loops with a worker pool for blocking
/// handlers (`EventLoopServer`); HTTPS keeps one thread per connection (`ThreadedServer`),
/// since its TLS sessions do blocking OpenSSL reads and writes.
public final class HTTPServer: Sendable {
  public let configuration: HTTPServerConfiguration
  let engine: any ServerEngine

  /// Binds, listens and starts accepting.
  public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler) throws(SocketError) {
    self.configuration = configuration
    // A peer that hangs up mid-response must be an error on that connection, not SIGPIPE for
    // the whole process (OpenSSL writes without MSG_NOSIGNAL).
    signal(SIGPIPE, SIG_IGN)
    if configuration.tls == nil, let calls = LinuxCalls.shared {
      engine = try EventLoopServer(configuration: configuration, handler: handler, calls: calls)
    } else {
      engine = try ThreadedServer(configuration: configuration, handler: handler)
    }
  }

  /// The bound port (useful when the configuration asked for port 0).
  public var port: Int { engine.port }

  public var activeConnections: Int { engine.activeConnections }

  /// Stops accepting, closes idle connections, lets in-flight requests finish (up to `grace`
  /// seconds), then closes the rest and ends streams.
  public func shutdown(grace: Double = 10) { engine.shutdown(grace: grace) }

  /// Over the connection cap: a short 503 written without blocking, then close.
  static func refuseBusy(_ fd: Int32) {
    let text = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\nContent-Length: 20\r\nConnection: close\r\n\r\ntoo many connections"
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    close(fd)
  }
}

/// What serves a listener: the event-loop engine or the threaded one.
protocol ServerEngine: AnyObject, Sendable {
  var port: Int { get }
  var activeConnections: Int { get }
  func shutdown(grace: Double)
}
