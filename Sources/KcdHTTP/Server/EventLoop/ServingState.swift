import Synchronization

/// What the loops, workers and stream threads of one event-loop server share: its settings,
/// the handler, the worker pool and the counters and flags that shutdown watches.
final class ServingState: Sendable {
  let configuration: HTTPServerConfiguration
  let handler: any HTTPHandler
  /// Bytes of request bodies being read at once, all connections together.
  let bodyBudget: BodyBudget
  /// Connections per peer address.
  let peers: PeerConnections
  let port: Int
  let pool: WorkerPool
  let sendTimeout: Double
  let active = Atomic<Int>(0)
  let stopping = Atomic<Bool>(false)
  /// The shutdown grace period is over: close everything now.
  let forced = Atomic<Bool>(false)
  let runningLoops = Atomic<Int>(0)
  /// Loops that have taken the listener out of their epoll set (it may then be closed).
  let loopsOffListener = Atomic<Int>(0)

  init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, port: Int) {
    self.configuration = configuration
    bodyBudget = BodyBudget(limit: configuration.bodyBudgetBytes)
    peers = PeerConnections(limit: configuration.maximumConnectionsPerPeer)
    self.handler = handler
    self.port = port
    sendTimeout = Double(configuration.sendTimeoutSeconds)
    pool = WorkerPool(maximumThreads: configuration.maximumWorkerThreads, maximumWaiting: configuration.maximumQueuedRequests,
                      threadName: "kcd-work:\(port)")
  }

  var isStopping: Bool { stopping.load(ordering: .relaxed) }
  var isForced: Bool { forced.load(ordering: .relaxed) }

  func connectionClosed(peer: String) {
    active.wrappingSubtract(1, ordering: .relaxed)
    peers.close(peer)
  }
}
