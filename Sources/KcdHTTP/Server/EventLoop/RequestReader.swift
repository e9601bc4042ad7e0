/// Frames requests out of a connection's bytes as they arrive, with the threaded engine's rules
/// (`Connection.swift`): tolerated blank lines, head and body limits, `Expect: 100-continue`,
/// and the deadlines that decide between a 408 and a silent close. No sockets, so the loop can
/// feed it whatever a read brought and ask it again later.
struct RequestReader {
  enum Phase { case head, body, answering }

  enum Step {
    /// Nothing more can be framed from the buffer.
    case needMore
    /// Send `100 Continue` before waiting for the body.
    case sendContinue
    case request(HTTPRequestHead, body: [UInt8])
  }

  enum TimeoutAction {
    /// An idle keep-alive connection: an unsolicited 408 would be read as the next answer.
    case closeSilently
    case respond(HTTPParseError)
  }

  let limits: HTTPServerConfiguration
  private(set) var phase = Phase.head

  // Head phase.
  /// No request has been read yet (a silent new connection gets a 408, an idle one does not).
  private var first = true
  private var idleDeadline: Double
  /// Set once bytes of a head have arrived (or were already buffered).
  private var headDeadline: Double?
  /// Line ends skipped before the current request head.
  private var skippedBlank = 0
  /// Bytes already searched for the end of the head, so a trickled head is not rescanned.
  private var scanned = 0

  // Body phase.
  private var head: HTTPRequestHead?
  private var bodyDeadline = 0.0
  private var contentLength = 0
  private var decoder: ChunkedDecoder?
  private var continuePending = false

  /// The handler's look at a head before its body is read.
  let admit: @Sendable (HTTPRequest) -> HTTPAdmission
  /// The listener's budget for bodies being read, and what this reader holds of it.
  let budget: BodyBudget
  let peer: String
  private var reserved = BodyBudget.Reservation()

  init(limits: HTTPServerConfiguration, acceptedAt now: Double, admit: @escaping @Sendable (HTTPRequest) -> HTTPAdmission = { _ in .proceed(maximumBodyBytes: nil) },
       budget: BodyBudget = BodyBudget(limit: Int.max), peer: String = "") {
    self.limits = limits
    self.admit = admit
    self.budget = budget
    self.peer = peer
    idleDeadline = now + min(limits.headerTimeout, limits.firstRequestTimeout)
  }

  /// Gives back what this reader holds of the body budget (its body is done, refused, or its
  /// connection is closing).
  mutating func releaseBudget() {
    budget.release(reserved, peer: peer)
    reserved = BodyBudget.Reservation()
  }

  /// When the current phase gives up; nil while the request is being answered.
  var deadline: Double? {
    switch phase {
    case .head: return headDeadline ?? idleDeadline
    case .body: return bodyDeadline
    case .answering: return nil
    }
  }

  func timeoutAction(bufferIsEmpty: Bool) -> TimeoutAction {
    if phase == .body { return .respond(HTTPParseError(status: 408, message: "request body not received in time")) }
    if bufferIsEmpty && headDeadline == nil && !first { return .closeSilently }
    return .respond(HTTPParseError(status: 408, message: "request head not received in time"))
  }

  /// A read brought bytes: from now on the head has `headerTimeout` (within the idle deadline).
  mutating func bytesArrived(now: Double) {
    if phase == .head && headDeadline == nil { headDeadline = min(idleDeadline, now + limits.headerTimeout) }
  }

  /// The answer has been written (or refused): wait for the next request.
  mutating func beginNextHead(now: Double, bufferIsEmpty: Bool) {
    phase = .head
    first = false
    idleDeadline = now + limits.idleTimeout
    headDeadline = bufferIsEmpty ? nil : now + limits.headerTimeout
  }

  /// An error answer was queued; the connection will close after it.
  mutating func abandon() {
    releaseBudget()
    phase = .answering
    head = nil
    decoder = nil
  }

  mutating func next(_ buffer: inout ReadBuffer, now: Double) throws(HTTPParseError) -> Step {
    switch phase {
    case .answering: return .needMore
    case .head: return try readHead(&buffer, now: now)
    case .body: return try readBody(&buffer)
    }
  }

  private mutating func readHead(_ buffer: inout ReadBuffer, now: Double) throws(HTTPParseError) -> Step {
    // Empty lines before a request are tolerated (RFC 9112 §2.2), a few of them: drop them in
    // one step, and refuse a stream of nothing but line ends.
    var blank = 0
    while blank < buffer.count, buffer.byte(at: blank) == 0x0D || buffer.byte(at: blank) == 0x0A { blank += 1 }
    if blank > 0 {
      buffer.consume(blank)
      skippedBlank += blank
      scanned = 0
      if skippedBlank > 64 { throw .bad("too many empty lines before the request") }
    }
    guard let end = headEnd(buffer) else {
      if buffer.count > limits.maximumHeadBytes { throw HTTPParseError(status: 431, message: "request head too large") }
      return .needMore
    }
    // A whole oversized head can arrive in one read; the limit must still hold.
    if end.total > limits.maximumHeadBytes { throw HTTPParseError(status: 431, message: "request head too large") }
    let parsed = try HTTPHeadParser.parse(buffer.bytes.prefix(end.headLength), maximumHeaderCount: limits.maximumHeaderCount)
    buffer.consume(end.total)
    skippedBlank = 0
    scanned = 0
    let expectsContinue = parsed.headers["Expect"]?.lowercased() == "100-continue"
    // A request with a body is looked at first: refused, or given a tighter limit, before any
    // of the body is read; then its size is taken from the listener's budget.
    var cap = limits.maximumBodyBytes
    if parsed.framing != .none {
      switch admit(HTTPRequest(method: parsed.method, target: parsed.target, version: parsed.version, headers: parsed.headers, body: [], remoteAddress: peer)) {
      case .refuse(let status, let message): throw HTTPParseError(status: status, message: message)
      case .proceed(let limit): if let limit { cap = min(cap, max(0, limit)) }
      }
    }
    switch parsed.framing {
    case .none:
      phase = .answering
      return .request(parsed, body: [])
    case .length(let n):
      if n > cap { throw HTTPParseError(status: 413, message: "request body too large") }
      guard let taken = budget.reserve(n, peer: peer) else { throw HTTPParseError(status: 503, message: "too many request bodies in progress; retry") }
      reserved = taken
      contentLength = n
      continuePending = expectsContinue && buffer.count < n
    case .chunked:
      guard let taken = budget.reserve(cap, peer: peer) else { throw HTTPParseError(status: 503, message: "too many request bodies in progress; retry") }
      reserved = taken
      decoder = ChunkedDecoder(maximumBodySize: cap)
      continuePending = expectsContinue && buffer.isEmpty
    }
    head = parsed
    bodyDeadline = now + limits.bodyTimeout
    phase = .body
    return try readBody(&buffer)
  }

  private mutating func readBody(_ buffer: inout ReadBuffer) throws(HTTPParseError) -> Step {
    if continuePending {
      continuePending = false
      return .sendContinue
    }
    let body: [UInt8]
    if decoder == nil {
      guard buffer.count >= contentLength else { return .needMore }
      body = buffer.prefix(contentLength)
      buffer.consume(contentLength)
    } else {
      // Mutated in place (not copied out of the optional) so a long body is never copied.
      let rest = try decoder!.feed(buffer.bytes)
      buffer.removeAll()
      guard decoder!.isComplete else {
        if decoder!.pendingIsOversized { throw .bad("chunk header too long") }
        return .needMore
      }
      buffer.restore(rest)
      body = decoder!.body
      decoder = nil
    }
    let finished = head!
    head = nil
    phase = .answering
    releaseBudget()
    return .request(finished, body: body)
  }

  /// Where the head ends: after the first empty line (LF LF or LF CR LF).
  private mutating func headEnd(_ buffer: ReadBuffer) -> (headLength: Int, total: Int)? {
    let found: (Int, Int)? = buffer.storage.withUnsafeBufferPointer { all in
      let p = UnsafeBufferPointer(rebasing: all[buffer.start..<buffer.end])
      let n = p.count
      var i = scanned
      while i + 1 < n {
        if p[i] == 0x0A {
          if p[i + 1] == 0x0A { return (i + 1, i + 2) }
          if i + 2 < n, p[i + 1] == 0x0D, p[i + 2] == 0x0A { return (i + 1, i + 3) }
        }
        i += 1
      }
      return nil
    }
    // The last two bytes may begin an empty line that the next read completes.
    if found == nil { scanned = max(0, buffer.count - 2) }
    return found
  }
}
