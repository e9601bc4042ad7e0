#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The engine for plain HTTP: a few epoll loops answer fast requests on their own threads and
/// hand blocking work to a bounded worker pool, so a request costs no thread wake-up of its
/// own (thread-per-connection spent its time switching contexts).
final class EventLoopServer: ServerEngine {
  let state: ServingState
  let listener: Listener
  let loops: [EventLoop]

  /// One loop per online CPU, at most 4: loops only parse and write, more would contend.
  static var loopCount: Int { min(4, max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

  init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, calls: LinuxCalls) throws(SocketError) {
    listener = try Listener.open(address: configuration.address)
    _ = fcntl(listener.fd, F_SETFL, fcntl(listener.fd, F_GETFL) | O_NONBLOCK)
    state = ServingState(configuration: configuration, handler: handler, port: listener.port)
    var loops: [EventLoop] = []
    do {
      for _ in 0..<EventLoopServer.loopCount { loops.append(try EventLoop(state: state, calls: calls, listenerFD: listener.fd)) }
    } catch {
      loops = []
      listener.shutdownAndClose()
      throw error
    }
    self.loops = loops
    for loop in loops { loop.siblings = loops }
    for loop in loops {
      state.runningLoops.wrappingAdd(1, ordering: .relaxed)
      if !Threads.spawn({ loop.run() }) {
        state.runningLoops.wrappingSubtract(1, ordering: .relaxed)
        shutdown(grace: 0)
        throw .system("cannot start an event loop thread", EAGAIN)
      }
    }
  }

  var port: Int { listener.port }

  var activeConnections: Int { state.active.load(ordering: .relaxed) }

  func shutdown(grace: Double) {
    if state.stopping.exchange(true, ordering: .relaxed) { return }
    let deadline = monotonicSeconds() + grace
    // Each loop takes the listener out of its epoll set before it is closed, so no loop can
    // accept on a closed (or reused) descriptor.
    wakeLoops()
    waitUntil(monotonicSeconds() + 2) {
      state.loopsOffListener.load(ordering: .relaxed) >= loops.count || state.runningLoops.load(ordering: .relaxed) == 0
    }
    listener.shutdownAndClose()
    waitUntil(deadline) { state.active.load(ordering: .relaxed) == 0 }
    state.forced.store(true, ordering: .relaxed)
    wakeLoops()
    waitUntil(monotonicSeconds() + 2) { state.runningLoops.load(ordering: .relaxed) == 0 }
    // Idle workers end now; one still running a handler past the grace period ends with it.
    state.pool.stop()
    waitUntil(monotonicSeconds() + 0.5) { state.pool.threadCount == 0 }
  }

  private func wakeLoops() {
    for loop in loops { loop.wakeup.signal() }
  }

  private func waitUntil(_ deadline: Double, _ condition: () -> Bool) {
    while !condition() && monotonicSeconds() < deadline { usleep(5_000) }
  }
}
