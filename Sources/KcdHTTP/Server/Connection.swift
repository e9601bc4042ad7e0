/// One accepted connection of the threaded engine: reads requests (keep-alive), enforces limits
/// and deadlines, calls the handler and writes its response. Runs on its own thread, so both
/// kinds of reply are answered right there.
struct Connection {
  let server: ThreadedServer
  let socket: any ByteStream
  let peer: String
  var buffer: [UInt8] = []
  /// Line ends skipped before the current request head.
  var skippedBlank = 0

  init(server: ThreadedServer, socket: any ByteStream, peer: String) {
    self.server = server
    self.socket = socket
    self.peer = peer
  }

  var config: HTTPServerConfiguration { server.configuration }

  mutating func run() {
    var first = true
    while !server.isStopping {
      do {
        guard let head = try readHead(first: first) else { return }
        first = false
        let body = try readBody(head)
        var request = HTTPRequest(method: head.method, target: head.target, version: head.version, headers: head.headers, body: body, remoteAddress: peer)
        if request.method == "HEAD" { request.body = [] }
        let response: HTTPResponse
        switch server.handler.reply(request) {
        case .now(let answer): response = answer
        case .later(let work): response = work()
        }
        let keepAlive = request.wantsKeepAlive && !server.isStopping && !response.closesConnection
        guard try write(response, keepAlive: keepAlive, version: head.version, isHead: head.method == "HEAD") else { return }
        if !keepAlive { return }
      } catch let error as HTTPParseError {
        sendError(error.status, error.message)
        return
      } catch {
        return
      }
    }
  }

  /// nil when the connection ended cleanly between requests. A new connection that sends
  /// nothing gets a 408; an idle keep-alive connection is closed without a word.
  mutating func readHead(first: Bool) throws -> HTTPRequestHead? {
    let idleDeadline = monotonicSeconds() + (first ? min(config.headerTimeout, config.firstRequestTimeout) : config.idleTimeout)
    var headDeadline: Double? = buffer.isEmpty ? nil : monotonicSeconds() + config.headerTimeout
    while true {
      // Empty lines before a request are tolerated (RFC 9112 §2.2), a few of them: drop them in
      // one step, and close on a stream of nothing but line ends.
      let blank = buffer.prefix { $0 == 0x0D || $0 == 0x0A }.count
      if blank > 0 {
        buffer.removeFirst(blank)
        skippedBlank += blank
        if skippedBlank > 64 { throw HTTPParseError.bad("too many empty lines before the request") }
      }
      if let end = headEnd() {
        // A whole oversized head can arrive in one read; the limit must still hold.
        if end.total > config.maximumHeadBytes { throw HTTPParseError(status: 431, message: "request head too large") }
        let head = try HTTPHeadParser.parse(buffer[0..<end.headLength], maximumHeaderCount: config.maximumHeaderCount)
        buffer.removeFirst(end.total)
        skippedBlank = 0
        return head
      }
      if buffer.count > config.maximumHeadBytes { throw HTTPParseError(status: 431, message: "request head too large") }
      let waitingForNew = buffer.isEmpty
      do {
        try socket.waitReadable(until: headDeadline ?? idleDeadline, slice: 0.25) { waitingForNew && server.isStopping }
        let bytes = try socket.read(max: 16384)
        if headDeadline == nil { headDeadline = min(idleDeadline, monotonicSeconds() + config.headerTimeout) }
        buffer.append(contentsOf: bytes)
      } catch SocketError.timedOut {
        if waitingForNew && headDeadline == nil && !first { return nil }
        throw HTTPParseError(status: 408, message: "request head not received in time")
      } catch {
        return nil
      }
    }
  }

  func headEnd() -> (headLength: Int, total: Int)? {
    var i = 0
    let n = buffer.count
    while i + 1 < n {
      if buffer[i] == 0x0A {
        if buffer[i + 1] == 0x0A { return (i + 1, i + 2) }
        if i + 2 < n, buffer[i + 1] == 0x0D, buffer[i + 2] == 0x0A { return (i + 1, i + 3) }
      }
      i += 1
    }
    return nil
  }

  mutating func readBody(_ head: HTTPRequestHead) throws -> [UInt8] {
    let deadline = monotonicSeconds() + config.bodyTimeout
    let expectsContinue = head.headers["Expect"]?.lowercased() == "100-continue"
    // The handler looks at the head before any of the body is read (as on the event loop).
    var cap = config.maximumBodyBytes
    if head.framing != .none {
      switch server.handler.admit(HTTPRequest(method: head.method, target: head.target, version: head.version, headers: head.headers, body: [], remoteAddress: peer)) {
      case .refuse(let status, let message): throw HTTPParseError(status: status, message: message)
      case .proceed(let limit): if let limit { cap = min(cap, max(0, limit)) }
      }
    }
    switch head.framing {
    case .none:
      return []
    case .length(let n):
      if n > cap { throw HTTPParseError(status: 413, message: "request body too large") }
      if expectsContinue && buffer.count < n { try socket.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
      while buffer.count < n { try fill(until: deadline) }
      let body = Array(buffer[0..<n])
      buffer.removeFirst(n)
      return body
    case .chunked:
      if expectsContinue && buffer.isEmpty { try socket.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
      var decoder = ChunkedDecoder(maximumBodySize: cap)
      var rest = try decoder.feed(buffer[...])
      buffer = []
      while !decoder.isComplete {
        if decoder.pendingIsOversized { throw HTTPParseError.bad("chunk header too long") }
        try fill(until: deadline)
        rest = try decoder.feed(buffer[...])
        buffer = []
      }
      buffer = Array(rest)
      return decoder.body
    }
  }

  mutating func fill(until deadline: Double) throws {
    do {
      try socket.waitReadable(until: deadline, slice: 0.25) { false }
      buffer.append(contentsOf: try socket.read(max: 16384))
    } catch SocketError.timedOut {
      throw HTTPParseError(status: 408, message: "request body not received in time")
    }
  }

  /// Returns false when the connection must close (the stream was cut or writing failed).
  func write(_ response: HTTPResponse, keepAlive: Bool, version: HTTPVersion, isHead: Bool) throws -> Bool {
    var head = "HTTP/1.1 \(response.status) \(HTTPResponse.reason(response.status))\r\n"
    for (name, value) in response.headers where !HTTPHeaders.same(name, "Content-Length") && !HTTPHeaders.same(name, "Transfer-Encoding") {
      head += "\(name): \(value)\r\n"
    }
    if !keepAlive { head += "Connection: close\r\n" }
    switch response.body {
    case .bytes(let body):
      head += "Content-Length: \(body.count)\r\n\r\n"
      var bytes = Array(head.utf8)
      if !isHead { bytes.append(contentsOf: body) }
      try socket.write(bytes)
      return true
    case .stream(let produce):
      head += "Transfer-Encoding: chunked\r\n\r\n"
      try socket.write(Array(head.utf8))
      if isHead { return false }
      let sink = SocketChunkSink(socket: socket, server: server)
      do {
        try produce(sink)
        try socket.write(Array("0\r\n\r\n".utf8))
      } catch {
        return false
      }
      return true
    }
  }

  func sendError(_ status: Int, _ message: String) {
    let body = Array((message + "\n").utf8)
    let head = "HTTP/1.1 \(status) \(HTTPResponse.reason(status))\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
    try? socket.write(Array(head.utf8) + body)
  }
}

/// Chunk writer bound to one connection.
struct SocketChunkSink: ChunkSink {
  let socket: any ByteStream
  let server: ThreadedServer

  func write(_ bytes: [UInt8]) throws {
    guard !bytes.isEmpty else { return }
    var frame = Array(String(bytes.count, radix: 16).utf8)
    frame.append(contentsOf: [0x0D, 0x0A])
    frame.append(contentsOf: bytes)
    frame.append(contentsOf: [0x0D, 0x0A])
    try socket.write(frame)
  }

  var isClosed: Bool { server.isStopping || socket.peerHasClosed() }
}
