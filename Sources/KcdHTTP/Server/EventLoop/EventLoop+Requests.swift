/// How a loop moves a connection along: write what is queued, frame the next request, answer
/// it inline (`.now`) or hand it to a worker (`.later`) or a stream thread, and arm the
/// connection for whatever it waits for next.
extension EventLoop {
  static let busyResponse = HTTPResponse.text(503, "too many requests waiting\n", headers: ["Retry-After": "1"])

  /// Runs until the connection must wait (armed), was handed off, or was closed.
  func advance(_ connection: LoopConnection) {
    while true {
      if connection.hasOutput {
        switch connection.flush(now: now, sendTimeout: state.sendTimeout) {
        case .complete: break
        case .blocked:
          arm(connection, writable: true)
          return
        case .failed:
          closeConnection(connection)
          return
        }
      }
      if connection.reader.phase == .answering {
        switch connection.afterOutput {
        case .close:
          closeConnection(connection)
          return
        case .linger:
          startLinger(connection)
          return
        case .keepAlive:
          connection.reader.beginNextHead(now: now, bufferIsEmpty: connection.buffer.isEmpty)
        }
      }
      if state.isStopping && isIdle(connection) {
        closeConnection(connection)
        return
      }
      let step: RequestReader.Step
      do {
        step = try connection.reader.next(&connection.buffer, now: now)
      } catch {
        connection.queueError(error)
        continue
      }
      switch step {
      case .needMore:
        if connection.readClosed {
          closeConnection(connection)
          return
        }
        arm(connection, writable: false)
        return
      case .sendContinue:
        connection.output.append(contentsOf: ResponseEncoder.continueResponse)
      case .request(let head, let body):
        guard dispatch(connection, head: head, body: body) else { return }
      }
    }
  }

  /// Calls the handler. True when the answer is queued and the loop keeps the connection.
  private func dispatch(_ connection: LoopConnection, head: HTTPRequestHead, body: [UInt8]) -> Bool {
    let isHead = head.method == "HEAD"
    let request = HTTPRequest(method: head.method, target: head.target, version: head.version, headers: head.headers,
                              body: isHead ? [] : body, remoteAddress: connection.peer)
    switch state.handler.reply(request) {
    case .now(let response):
      let keepAlive = request.wantsKeepAlive && !state.isStopping
      guard let produce = connection.queue(response, keepAlive: keepAlive, isHead: isHead) else { return true }
      disarm(connection)
      connection.handOff()
      if !StreamResponder.start(connection, loop: self, produce: produce) {
        connection.handedOff = false
        closeConnection(connection)
      }
      return false
    case .later(let work):
      disarm(connection)
      connection.handOff()
      let accepted = state.pool.submit { [self] in
        let response = work()
        let keepAlive = request.wantsKeepAlive && !state.isStopping
        if let produce = connection.queue(response, keepAlive: keepAlive, isHead: isHead) {
          if !StreamResponder.start(connection, loop: self, produce: produce) {
            connection.failed = true
            handBack(connection)
          }
          return
        }
        // Usually the whole answer fits in the socket buffer; any rest is the loop's to write.
        let now = monotonicSeconds()
        if connection.flush(now: now, sendTimeout: state.sendTimeout) == .failed { connection.failed = true }
        finishWork(connection, now: now)
      }
      if accepted { return false }
      connection.handedOff = false
      _ = connection.queue(EventLoop.busyResponse, keepAlive: request.wantsKeepAlive && !state.isStopping, isHead: isHead)
      return true
    }
  }

  /// A worker is done with a connection. The common case (answer written, keep-alive, nothing
  /// pipelined) re-arms it for reading right here; anything else goes back through the mailbox.
  private func finishWork(_ connection: LoopConnection, now: Double) {
    let simple = !connection.failed && !connection.hasOutput && connection.afterOutput == .keepAlive
      && connection.buffer.isEmpty && !connection.readClosed
    guard simple else {
      handBack(connection)
      return
    }
    connection.reader.beginNextHead(now: now, bufferIsEmpty: true)
    connection.armed = Epoll.readable | Epoll.oneShot
    guard epoll.control(Epoll.modify, connection.fd, events: Epoll.readable | Epoll.oneShot, data: connection.token) == 0 else {
      connection.failed = true
      handBack(connection)
      return
    }
    switch connection.handoff.exchange(Handoff.done, ordering: .acquiringAndReleasing) {
    case Handoff.eventSeen: handBack(connection)
    case Handoff.loopGone: closeAfterLoopExit(connection)
    default: break
    }
  }
}
