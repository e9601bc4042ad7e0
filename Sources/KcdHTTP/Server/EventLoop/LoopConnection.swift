#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// One accepted connection of the event-loop engine. Owned by exactly one thread at a time:
/// its loop while armed in epoll or being handled, a worker or stream thread once handed off
/// (the one-shot registration is disarmed then), and the loop again once handed back.
final class LoopConnection: @unchecked Sendable {
  /// What happens once the queued output has been written.
  enum AfterOutput {
    case keepAlive
    case close
    /// Half-close and drain the peer's upload before closing, so a client still sending
    /// reads the error instead of a connection reset.
    case linger
  }

  enum FlushResult { case complete, blocked, failed }

  let fd: Int32
  let peer: String
  /// Epoll data: generation and fd, so an event queued for a closed connection whose fd
  /// number was reused is recognised as stale.
  let token: UInt64
  var buffer = ReadBuffer()
  var reader: RequestReader
  var output: [UInt8] = []
  var outputSent = 0
  var afterOutput = AfterOutput.keepAlive
  /// Set while output waits for the peer to drain; the sweep drops the peer when it passes.
  var sendDeadline: Double?
  /// The peer has sent EOF: answer what is buffered, then close.
  var readClosed = false
  /// Set while lingering after an error answer.
  var lingerUntil: Double?
  var discarded = 0
  /// Loop thread only: a worker or stream thread owns the connection.
  var handedOff = false
  /// What the connection is registered for in epoll now: level-triggered readable while the
  /// loop serves it (no re-arm per request), one-shot when a worker handed it back or a write
  /// is blocked, nothing while a worker or stream thread owns it.
  var armed: UInt32 = 0
  /// How a worker that re-armed the connection itself and its loop agree on who has it.
  let handoff = Atomic<UInt8>(Handoff.working)
  /// Set by the thread that owned it: the connection broke and must be closed.
  var failed = false

  init(fd: Int32, peer: String, generation: UInt32, limits: HTTPServerConfiguration, now: Double,
       admit: @escaping @Sendable (HTTPRequest) -> HTTPAdmission = { _ in .proceed(maximumBodyBytes: nil) }, budget: BodyBudget = BodyBudget(limit: Int.max)) {
    self.fd = fd
    self.peer = peer
    token = UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    reader = RequestReader(limits: limits, acceptedAt: now, admit: admit, budget: budget, peer: peer)
  }

  var hasOutput: Bool { outputSent < output.count }

  /// The loop gives the connection to a worker or stream thread (loop thread only).
  func handOff() {
    handedOff = true
    handoff.store(Handoff.working, ordering: .releasing)
  }

  /// Queues the head (and body) of `response`; returns the producer when a chunked stream
  /// must follow (written by a thread that may block).
  func queue(_ response: HTTPResponse, keepAlive wanted: Bool, isHead: Bool) -> (@Sendable (any ChunkSink) throws -> Void)? {
    let keepAlive = wanted && !response.closesConnection
    afterOutput = keepAlive ? .keepAlive : .close
    switch response.body {
    case .bytes(let body):
      ResponseEncoder.appendHead(response, keepAlive: keepAlive, bodyLength: body.count, to: &output)
      if !isHead { output.append(contentsOf: body) }
      return nil
    case .stream(let produce):
      ResponseEncoder.appendHead(response, keepAlive: keepAlive, bodyLength: nil, to: &output)
      // A HEAD answer has no body to stream, and its chunked framing leaves the client unable
      // to tell where the next response starts: close after it, as the threaded engine does.
      if isHead { afterOutput = .close; return nil }
      return produce
    }
  }

  func queueError(_ error: HTTPParseError) {
    ResponseEncoder.appendError(error, to: &output)
    afterOutput = .linger
    reader.abandon()
  }

  /// Writes queued output without blocking.
  func flush(now: Double, sendTimeout: Double) -> FlushResult {
    var progressed = false
    while outputSent < output.count {
      let n = output.withUnsafeBytes { send(fd, $0.baseAddress! + outputSent, $0.count - outputSent, Int32(MSG_NOSIGNAL)) }
      if n > 0 {
        outputSent += n
        progressed = true
        continue
      }
      if n < 0 && errno == EINTR { continue }
      if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
        if progressed || sendDeadline == nil { sendDeadline = now + sendTimeout }
        return .blocked
      }
      return .failed
    }
    clearOutput()
    return .complete
  }

  /// Takes the queued output (a stream thread writes it blocking).
  func takeOutput() -> ArraySlice<UInt8> {
    let pending = output[outputSent...]
    output = []
    outputSent = 0
    return pending
  }

  func clearOutput() {
    if output.capacity > ReadBuffer.retainedSize { output = [] } else { output.removeAll(keepingCapacity: true) }
    outputSent = 0
    sendDeadline = nil
  }
}

/// States of `LoopConnection.handoff`. A worker that finished a keep-alive answer re-arms the
/// connection in epoll itself (no wake-up of the loop) and then marks it `done`; the loop takes
/// it back at its next event or sweep. The exchange settles the races: an event that reaches
/// the loop before `done` marks `eventSeen`, and the worker then hands the connection back
/// through the mailbox; a loop that exits first marks `loopGone`, and the worker closes it.
enum Handoff {
  static let working: UInt8 = 0
  static let done: UInt8 = 1
  static let eventSeen: UInt8 = 2
  static let loopGone: UInt8 = 3
}
