/// Limits that keep an internet-facing listener safe; defaults follow Flux's receiver, a bit
/// stricter on body size (SPEC §3: 1 MiB).
public struct HTTPServerConfiguration: Sendable {
  /// `host:port`, `:port` (all interfaces) or `[v6]:port`; port 0 picks a free port.
  public var address: String
  public var maximumConnections = 1024
  /// Connections one peer address may hold (behind an Ingress, per Ingress pod).
  public var maximumConnectionsPerPeer = 512
  public var maximumHeadBytes = 64 * 1024
  public var maximumHeaderCount = HTTPHeadParser.maximumHeaderCount
  public var maximumBodyBytes = 1 << 20
  /// Bytes of request bodies read at once, all connections together (503 past it).
  public var bodyBudgetBytes = 64 << 20
  /// From the first byte of a request head (or from accept) until the head is complete.
  public var headerTimeout = 10.0
  /// From accept until the first request head is complete: a connection that has not yet
  /// sent a request holds a socket only briefly. (A refused request — 400, 401, 403, 404,
  /// 405 — closes its connection, so only a connection that made an accepted request is kept
  /// for the next one.)
  public var firstRequestTimeout = 5.0
  /// For the whole body once the head is in.
  public var bodyTimeout = 30.0
  /// Between keep-alive requests.
  public var idleTimeout = 60.0
  /// A peer that does not drain a response within this many seconds is dropped.
  public var sendTimeoutSeconds = 30
  /// Threads that run blocking handler work (`HTTPReply.later`) for plain HTTP.
  public var maximumWorkerThreads = 64
  /// Requests that may wait for a free worker; past that, new ones are answered 503 at once.
  public var maximumQueuedRequests = 1000
  /// Serve HTTPS with this context (nil: plain HTTP).
  public var tls: TLSServerContext?
  /// Reports connection-level problems (never request bodies or headers).
  public var log: (@Sendable (String) -> Void)?

  public init(address: String) { self.address = address }
}
