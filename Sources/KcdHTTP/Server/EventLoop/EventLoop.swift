#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// One event-loop thread: its own epoll set with the shared listener (exclusive wake-ups) and
/// an eventfd, the connections it owns, and a sweep of their deadlines every 250 ms instead of
/// a timer per connection.
final class EventLoop: @unchecked Sendable {
  static let listenerToken = UInt64.max
  static let wakeupToken = UInt64.max - 1
  static let sweepInterval = 0.25
  /// Bytes read from one connection per event before its requests are handled (fairness, and
  /// a bound on what a flood can buffer).
  static let readBudget = 256 * 1024
  static let lingerSeconds = 1.0
  static let lingerBytes = 2 << 20

  /// Connections handed to this loop by other threads.
  struct Mailbox {
    var returned: [LoopConnection] = []
    var adopted: [(fd: Int32, peer: String)] = []
    var closed = false
  }

  let state: ServingState
  let calls: LinuxCalls
  let epoll: Epoll
  let wakeup: Wakeup
  let listenerFD: Int32
  /// Connections assigned to this loop, read by siblings to place new connections.
  let load = Atomic<Int>(0)
  private let mailbox = Mutex(Mailbox())

  // Loop thread only (siblings is set before the thread starts).
  var siblings: [EventLoop] = []
  var slots: [LoopConnection?] = []
  var owned = 0
  var generation: UInt32 = 0
  var onListener = false
  var listenerPausedUntil: Double?
  var sawStop = false
  var now = 0.0

  init(state: ServingState, calls: LinuxCalls, listenerFD: Int32) throws(SocketError) {
    self.state = state
    self.calls = calls
    self.listenerFD = listenerFD
    epoll = try Epoll(calls: calls)
    do {
      wakeup = try Wakeup(calls: calls)
    } catch {
      epoll.close()
      throw error
    }
    epoll.control(Epoll.add, wakeup.fd, events: Epoll.readable, data: EventLoop.wakeupToken)
    listen()
  }

  deinit {
    epoll.close()
    wakeup.close()
  }

  // MARK: Thread

  func run() {
    calls.nameCurrentThread("kcd-loop:\(state.port)")
    let events = EpollEvents(capacity: 256)
    defer {
      events.deallocate()
      finish()
    }
    now = monotonicSeconds()
    var nextSweep = now + EventLoop.sweepInterval
    while true {
      // With no connection there is no deadline to keep: sleep until something happens (an idle
      // kcd must not wake its loops four times a second for nothing).
      let idle = owned == 0 && listenerPausedUntil == nil && !state.isStopping
      let n = epoll.wait(into: events, timeoutMilliseconds: idle ? -1 : Int32(EventLoop.sweepInterval * 1000))
      now = monotonicSeconds()
      for i in 0..<n {
        let event = events[i]
        switch event.data {
        case EventLoop.listenerToken: acceptConnections()
        case EventLoop.wakeupToken: takeMail()
        default: handleEvent(token: event.data)
        }
      }
      if now >= nextSweep {
        sweep()
        nextSweep = now + EventLoop.sweepInterval
      }
      if state.isStopping {
        if !sawStop {
          sawStop = true
          unlisten()
          listenerPausedUntil = nil
          state.loopsOffListener.wrappingAdd(1, ordering: .relaxed)
          closeIdleConnections()
        }
        if state.isForced || owned == 0 { return }
      }
    }
  }

  /// Closes what this loop owns; connections still out with workers are closed by them.
  private func finish() {
    let mail = mailbox.withLock { box in
      box.closed = true
      defer { box = Mailbox(closed: true) }
      return box
    }
    for (fd, peer) in mail.adopted {
      close(fd)
      load.wrappingSubtract(1, ordering: .relaxed)
      state.connectionClosed(peer: peer)
    }
    for connection in mail.returned { closeConnection(connection) }
    for case let connection? in slots {
      // A worker still busy with it closes it when done (it sees `loopGone`).
      if connection.handedOff && connection.handoff.compareExchange(
        expected: Handoff.working, desired: Handoff.loopGone, ordering: .acquiringAndReleasing).exchanged { continue }
      if reclaim(connection) { closeConnection(connection) }
    }
    siblings = []
    state.runningLoops.wrappingSubtract(1, ordering: .relaxed)
  }

  private func listen() {
    // Exclusive: a new connection wakes one loop, not all of them (kernels before 4.5 refuse
    // the flag; every loop is woken then, and all but one find nothing to accept).
    if epoll.control(Epoll.add, listenerFD, events: Epoll.readable | Epoll.exclusive, data: EventLoop.listenerToken) != 0 {
      epoll.control(Epoll.add, listenerFD, events: Epoll.readable, data: EventLoop.listenerToken)
    }
    onListener = true
  }

  private func unlisten() {
    if onListener { epoll.control(Epoll.delete, listenerFD, events: 0, data: 0) }
    onListener = false
  }

  // MARK: Other threads

  /// A worker or stream thread returns a connection it took (may be called from any thread).
  func handBack(_ connection: LoopConnection) {
    let wake: Bool? = mailbox.withLock { box in
      if box.closed { return nil }
      box.returned.append(connection)
      return box.returned.count + box.adopted.count == 1
    }
    guard let wake else {
      closeAfterLoopExit(connection)
      return
    }
    if wake { wakeup.signal() }
  }

  /// The loop has exited (shutdown's grace period is over): the thread holding the connection
  /// closes it.
  func closeAfterLoopExit(_ connection: LoopConnection) {
    connection.reader.releaseBudget()
    close(connection.fd)
    load.wrappingSubtract(1, ordering: .relaxed)
    state.connectionClosed(peer: connection.peer)
  }

  /// Takes back a connection a worker re-armed itself and marked done. False while it is
  /// still a worker's.
  func reclaim(_ connection: LoopConnection) -> Bool {
    guard connection.handedOff else { return true }
    guard connection.handoff.load(ordering: .acquiring) == Handoff.done else { return false }
    connection.handedOff = false
    return true
  }

  /// A sibling accepted a connection for this (less loaded) loop. False once the loop exited.
  func adopt(fd: Int32, peer: String) -> Bool {
    let wake: Bool? = mailbox.withLock { box in
      if box.closed { return nil }
      box.adopted.append((fd, peer))
      return box.returned.count + box.adopted.count == 1
    }
    guard let wake else { return false }
    if wake { wakeup.signal() }
    return true
  }

  private func takeMail() {
    wakeup.drain()
    let mail = mailbox.withLock { box in
      defer { box.returned = []; box.adopted = [] }
      return box
    }
    for (fd, peer) in mail.adopted { register(fd: fd, peer: peer) }
    for connection in mail.returned {
      connection.handedOff = false
      if connection.failed { closeConnection(connection) } else { advance(connection) }
    }
  }

  // MARK: Connections

  private func acceptConnections() {
    let maximum = state.configuration.maximumConnections
    while !state.isStopping {
      var storage = sockaddr_storage()
      var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
      let fd = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          calls.accept4(listenerFD, $0, &length, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
        }
      }
      if fd < 0 {
        switch errno {
        case EINTR, ECONNABORTED, EPROTO: continue
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
          // Out of descriptors: the level-triggered listener would wake us at once, forever.
          // Leave it alone for a moment instead of spinning.
          unlisten()
          listenerPausedUntil = now + 0.1
          return
        default: return  // EAGAIN: all taken
        }
      }
      let peer = Listener.describe(&storage)
      // The listener's cap, then the peer's: one peer cannot take every connection.
      guard state.active.wrappingAdd(1, ordering: .relaxed).newValue <= maximum, state.peers.open(peer) else {
        state.active.wrappingSubtract(1, ordering: .relaxed)
        HTTPServer.refuseBusy(fd)
        continue
      }
      var one: Int32 = 1
      setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
      let target = leastLoaded()
      target.load.wrappingAdd(1, ordering: .relaxed)
      if target !== self {
        if target.adopt(fd: fd, peer: peer) { continue }
        target.load.wrappingSubtract(1, ordering: .relaxed)
        load.wrappingAdd(1, ordering: .relaxed)
      }
      register(fd: fd, peer: peer)
    }
  }

  /// One loop may be woken for a whole burst of connections (a client opening its pool): place
  /// each on the loop with the fewest, this one on a tie, so every core serves.
  private func leastLoaded() -> EventLoop {
    var best = self
    var bestLoad = load.load(ordering: .relaxed)
    for sibling in siblings where sibling !== self {
      let l = sibling.load.load(ordering: .relaxed)
      if l < bestLoad {
        best = sibling
        bestLoad = l
      }
    }
    return best
  }

  /// Takes an accepted connection (counted in `active` and `load` already).
  private func register(fd: Int32, peer: String) {
    if state.isStopping {
      close(fd)
      load.wrappingSubtract(1, ordering: .relaxed)
      state.connectionClosed(peer: peer)
      return
    }
    generation &+= 1
    let handler = state.handler
    let connection = LoopConnection(fd: fd, peer: peer, generation: generation, limits: state.configuration, now: now,
                                    admit: { handler.admit($0) }, budget: state.bodyBudget)
    let index = Int(fd)
    if index >= slots.count { slots.append(contentsOf: repeatElement(nil, count: max(index + 1, slots.count * 2) - slots.count)) }
    slots[index] = connection
    owned += 1
    connection.armed = Epoll.readable
    if epoll.control(Epoll.add, fd, events: Epoll.readable, data: connection.token) != 0 { closeConnection(connection) }
  }

  func closeConnection(_ connection: LoopConnection) {
    connection.reader.releaseBudget()
    let index = Int(connection.fd)
    if index < slots.count, slots[index] === connection {
      slots[index] = nil
      owned -= 1
    }
    close(connection.fd)
    load.wrappingSubtract(1, ordering: .relaxed)
    state.connectionClosed(peer: connection.peer)
  }

  /// Registers the connection for what it waits for next; nothing to do when it already is
  /// (the usual keep-alive case: level-triggered readable, so no syscall per request).
  func arm(_ connection: LoopConnection, writable: Bool) {
    let events = writable ? Epoll.writable | Epoll.oneShot : Epoll.readable
    if connection.armed == events { return }
    connection.armed = events
    if epoll.control(Epoll.modify, connection.fd, events: events, data: connection.token) != 0 { closeConnection(connection) }
  }

  /// Before a worker or a stream thread takes the connection: no events for the loop until it
  /// is handed back. One-shot, because the kernel reports EPOLLERR/EPOLLHUP whatever the mask:
  /// a reset peer would otherwise wake the loop on every wait until the worker is done.
  func disarm(_ connection: LoopConnection) {
    guard connection.armed != 0 else { return }
    connection.armed = 0
    _ = epoll.control(Epoll.modify, connection.fd, events: Epoll.oneShot, data: connection.token)
  }

  private func handleEvent(token: UInt64) {
    let index = Int(UInt32(truncatingIfNeeded: token))
    // A stale event (fd closed and reused since, or owned by a worker now) is ignored.
    guard index < slots.count, let connection = slots[index], connection.token == token else { return }
    // A one-shot registration is spent once it fired.
    if connection.armed & Epoll.oneShot != 0 { connection.armed = 0 }
    if connection.handedOff {
      // Only a worker that re-armed the connection lets an event through; before it has
      // marked it done, leave the connection to it (it then hands it back by mail).
      guard connection.handoff.exchange(Handoff.eventSeen, ordering: .acquiringAndReleasing) == Handoff.done else { return }
      connection.handedOff = false
    }
    if connection.lingerUntil != nil {
      drain(connection)
      return
    }
    if !connection.hasOutput && !connection.readClosed {
      guard receive(connection) else {
        closeConnection(connection)
        return
      }
    }
    advance(connection)
  }

  /// Reads what is there (up to the budget). A short read means the socket is drained: the
  /// level-triggered re-arm reports anything that arrives after it. False on a reset.
  private func receive(_ connection: LoopConnection) -> Bool {
    var total = 0
    while total < EventLoop.readBudget {
      let (n, offered) = connection.buffer.receive(from: connection.fd)
      if n > 0 {
        total += n
        if n < offered { break }
        continue
      }
      if n == 0 {
        connection.readClosed = true
        break
      }
      if errno == EINTR { continue }
      if errno == EAGAIN || errno == EWOULDBLOCK { break }
      return false
    }
    if total > 0 { connection.reader.bytesArrived(now: now) }
    return true
  }

  /// Throws away what a closing client still uploads; closes at its EOF or past the budget.
  private func drain(_ connection: LoopConnection) {
    while true {
      let n = connection.buffer.discard(from: connection.fd)
      if n > 0 {
        connection.discarded += n
        if connection.discarded > EventLoop.lingerBytes { break }
        continue
      }
      if n < 0 && errno == EINTR { continue }
      if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
        arm(connection, writable: false)
        return
      }
      break
    }
    closeConnection(connection)
  }

  /// Answers sent, half-close, then read and discard for a while: closing with unread data
  /// would send a reset that can destroy the answer before the client reads it.
  func startLinger(_ connection: LoopConnection) {
    shutdown(connection.fd, Int32(SHUT_WR))
    if connection.readClosed {
      closeConnection(connection)
      return
    }
    connection.lingerUntil = now + EventLoop.lingerSeconds
    connection.discarded = 0
    connection.buffer.removeAll()
    arm(connection, writable: false)
  }

  // MARK: Deadlines

  private func sweep() {
    if let until = listenerPausedUntil, now >= until, !state.isStopping {
      listenerPausedUntil = nil
      listen()
    }
    for case let connection? in slots where reclaim(connection) {
      if connection.hasOutput {
        if let deadline = connection.sendDeadline, now >= deadline { closeConnection(connection) }
        continue
      }
      if let until = connection.lingerUntil {
        if now >= until { closeConnection(connection) }
        continue
      }
      if state.isStopping && isIdle(connection) {
        closeConnection(connection)
        continue
      }
      guard let deadline = connection.reader.deadline, now >= deadline else { continue }
      switch connection.reader.timeoutAction(bufferIsEmpty: connection.buffer.isEmpty) {
      case .closeSilently:
        closeConnection(connection)
      case .respond(let error):
        connection.queueError(error)
        advance(connection)
      }
    }
  }

  /// Waiting for a request that has not begun: what shutdown closes at once.
  func isIdle(_ connection: LoopConnection) -> Bool {
    connection.reader.phase == .head && connection.buffer.isEmpty && !connection.hasOutput && connection.lingerUntil == nil
  }

  private func closeIdleConnections() {
    for case let connection? in slots where reclaim(connection) && isIdle(connection) { closeConnection(connection) }
  }
}
