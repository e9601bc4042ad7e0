/// Writes a chunked stream response (watches, server-sent events) on a thread of its own: the
/// producer may run for hours and block between chunks, which neither a loop nor a pooled
/// worker may do. Hands the connection back to its loop when the stream ends.
struct StreamResponder {
  let connection: LoopConnection
  let loop: EventLoop
  let produce: @Sendable (any ChunkSink) throws -> Void

  /// Runs the stream on a new thread; false when none could be started (the caller closes).
  static func start(_ connection: LoopConnection, loop: EventLoop, produce: @escaping @Sendable (any ChunkSink) throws -> Void) -> Bool {
    let responder = StreamResponder(connection: connection, loop: loop, produce: produce)
    return Threads.spawn {
      LinuxCalls.shared?.nameCurrentThread("kcd-strm:\(loop.state.port)")
      responder.run()
    }
  }

  func run() {
    let timeout = Double(loop.state.configuration.sendTimeoutSeconds)
    let sink = LoopChunkSink(fd: connection.fd, state: loop.state, timeout: timeout)
    do {
      try BlockingSend.all(connection.takeOutput(), to: connection.fd, timeout: timeout)
      try produce(sink)
      try BlockingSend.all(ResponseEncoder.lastChunk, to: connection.fd, timeout: timeout)
    } catch {
      connection.failed = true
    }
    loop.handBack(connection)
  }
}

/// Chunk writer bound to one event-loop connection.
struct LoopChunkSink: ChunkSink {
  let fd: Int32
  let state: ServingState
  let timeout: Double

  func write(_ bytes: [UInt8]) throws {
    guard !bytes.isEmpty else { return }
    // Past the shutdown grace period every connection is being closed: end the stream.
    if state.isForced { throw SocketError.closed }
    try BlockingSend.all(ResponseEncoder.chunk(bytes), to: fd, timeout: timeout)
  }

  var isClosed: Bool { state.isStopping || StreamSocket.peerHasClosed(fd) }
}
