#if canImport(Glibc)
import Glibc
#endif
import KcdHTTP
import KcdTestSupport
import Synchronization
import Testing

/// Answers `/now…` on the event loop and everything else on a worker, after `delay` seconds
/// there, so a test can tell the two paths apart by timing and by the body.
struct TwoSpeedHandler: HTTPHandler {
  var delay = 0.0
  var started: Latch? = nil

  func handle(_ request: HTTPRequest) -> HTTPResponse {
    started?.open()
    if delay > 0 { usleep(useconds_t(delay * 1_000_000)) }
    return .text(200, "later \(request.path)")
  }

  func reply(_ request: HTTPRequest) -> HTTPReply {
    if request.path.hasPrefix("/now") { return .now(.text(200, "now \(request.path)")) }
    return .later { handle(request) }
  }
}

/// Threads of the server on `port` still alive (loops, workers and stream writers are named
/// `kcd-loop:PORT`, `kcd-work:PORT`, `kcd-strm:PORT`).
func serverThreads(port: Int) -> Int {
  guard let directory = opendir("/proc/self/task") else { return -1 }
  defer { closedir(directory) }
  var count = 0
  while let entry = readdir(directory) {
    let name = withUnsafePointer(to: &entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    guard !name.hasPrefix("."), let comm = TestEnvironment.read("/proc/self/task/\(name)/comm") else { continue }
    if comm.hasPrefix("kcd-") && comm.hasSuffix(":\(port)\n") { count += 1 }
  }
  return count
}

/// CPU clock ticks (user + system) the event-loop threads of the server on `port` have used.
func loopCPUTicks(port: Int) -> Int {
  guard let directory = opendir("/proc/self/task") else { return -1 }
  defer { closedir(directory) }
  var ticks = 0
  while let entry = readdir(directory) {
    let name = withUnsafePointer(to: &entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    guard !name.hasPrefix("."), TestEnvironment.read("/proc/self/task/\(name)/comm") == "kcd-loop:\(port)\n",
          let stat = TestEnvironment.read("/proc/self/task/\(name)/stat"), let close = stat.lastIndex(of: ")") else { continue }
    // Fields after the command: state is the 3rd field, utime the 14th, stime the 15th.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    if fields.count > 12 { ticks += (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) }
  }
  return ticks
}

/// Lets a test hold more sockets than the default soft limit.
func raiseFileLimit(to wanted: rlim_t) {
  var limit = rlimit()
  getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
  if limit.rlim_cur < wanted {
    limit.rlim_cur = min(wanted, limit.rlim_max)
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
  }
}

/// The plain-HTTP engine: `.now` answers on the loop, `.later` on workers, in order per
/// connection; blocking work never stalls other connections; many idle connections cost no
/// threads; refusals reach clients that are still uploading; shutdown waits for workers.
@Suite(.serialized) struct EventLoopServerTests {
  @Test func nowAndLaterInterleaveInOrderWhenPipelined() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: TwoSpeedHandler(delay: 0.05))
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    let paths = ["/later/1", "/now/2", "/now/3", "/later/4", "/now/5", "/later/6"]
    var text = ""
    for path in paths { text += rawRequest("GET", path) }
    connection.send(text + rawRequest("POST", "/now/7", headers: ["Connection: close"], body: "x"))
    let answers = (0..<7).map { _ in connection.readResponse()?.text }
    #expect(answers == ["later /later/1", "now /now/2", "now /now/3", "later /later/4", "now /now/5", "later /later/6", "now /now/7"])
    #expect(connection.isClosedByPeer(timeout: 5))
  }

  @Test func blockingLaterWorkDoesNotDelayNowRequestsElsewhere() throws {
    let started = Latch()
    let server = try HTTPServer(configuration: testConfiguration(), handler: TwoSpeedHandler(delay: 1, started: started))
    defer { server.shutdown(grace: 5) }
    let slow = try (0..<4).map { _ in try RawConnection(port: server.port) }
    let sent = now()
    for connection in slow { connection.send(rawRequest("GET", "/slow")) }
    #expect(started.wait(timeout: 5))
    let fastStart = now()
    for i in 0..<20 {
      #expect(try httpRequest(port: server.port, method: "GET", path: "/now/\(i)").text == "now /now/\(i)")
    }
    let fastElapsed = now() - fastStart
    #expect(fastElapsed < 0.5, "20 fast requests took \(fastElapsed) s while slow work was running")
    for connection in slow { #expect(connection.readResponse()?.text == "later /slow") }
    #expect(now() - sent >= 0.9)
  }

  /// A connection a worker owns is registered for no events; the kernel still reports
  /// EPOLLERR/EPOLLHUP for it, so without a one-shot registration a client reset would make the
  /// loop wake on every wait until the worker hands the connection back.
  @Test func aResetWhileAWorkerOwnsTheConnectionDoesNotSpinTheLoop() throws {
    let started = Latch()
    let server = try HTTPServer(configuration: testConfiguration(), handler: TwoSpeedHandler(delay: 2, started: started))
    defer { server.shutdown(grace: 5) }
    do {
      let victim = try RawConnection(port: server.port)
      victim.send(rawRequest("GET", "/slow"))
      #expect(started.wait(timeout: 5))
      var reset = linger(l_onoff: 1, l_linger: 0)
      setsockopt(victim.fd, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
    }  // closed with linger 0: the peer sees RST
    let before = loopCPUTicks(port: server.port)
    usleep(1_000_000)
    let used = loopCPUTicks(port: server.port) - before
    #expect(used >= 0 && used < 30, "the loop used \(used) ticks of CPU in one second while the worker held a reset connection")
    #expect(try httpRequest(port: server.port, method: "GET", path: "/now/after").text == "now /now/after")
  }

  @Test func twoThousandIdleConnectionsDoNotStopService() throws {
    raiseFileLimit(to: 8192)
    let configuration = testConfiguration {
      $0.maximumConnections = 4096
      $0.maximumConnectionsPerPeer = 4096
      $0.headerTimeout = 60
      $0.firstRequestTimeout = 60
      $0.idleTimeout = 60
    }
    let server = try HTTPServer(configuration: configuration, handler: TwoSpeedHandler())
    defer { server.shutdown(grace: 5) }
    var idle: [RawConnection] = []
    for _ in 0..<2000 { idle.append(try RawConnection(port: server.port)) }
    #expect(eventually { server.activeConnections == 2000 })
    // Idle connections cost no threads: only the loops exist (no worker has been needed).
    #expect(serverThreads(port: server.port) <= 4)
    let started = now()
    #expect(try httpRequest(port: server.port, method: "GET", path: "/now/x").text == "now /now/x")
    #expect(try httpRequest(port: server.port, method: "GET", path: "/later/y").text == "later /later/y")
    #expect(now() - started < 2)
    idle[1234].send(rawRequest("GET", "/now/kept"))
    #expect(idle[1234].readResponse()?.text == "now /now/kept")
    idle.removeAll()
    #expect(eventually { server.activeConnections == 0 })
  }

  /// The server half-closes after a refusal and drains the upload, so a client still sending
  /// is never reset: every send succeeds and it reads the 413, then a clean end of stream.
  @Test func oversizedBodyIs413EvenWhileTheClientKeepsSending() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: TwoSpeedHandler())
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    let bodySize = 1_500_000
    connection.send("POST /now/upload HTTP/1.1\r\nHost: test\r\nContent-Length: \(bodySize)\r\n\r\n")
    let uploadFailed = Mutex<Int32?>(nil)
    let uploadDone = Latch()
    Threads.spawn {
      let chunk = [UInt8](repeating: 0x61, count: 65536)
      var sent = 0
      while sent < bodySize {
        let n = chunk.withUnsafeBytes { send(connection.fd, $0.baseAddress, min(65536, bodySize - sent), Int32(MSG_NOSIGNAL)) }
        if n <= 0 {
          let e = errno
          uploadFailed.withLock { $0 = e }
          break
        }
        sent += n
      }
      shutdown(connection.fd, Int32(SHUT_WR))
      uploadDone.open()
    }
    let response = try #require(connection.readResponse())
    #expect(response.status == 413)
    #expect(response.text == "request body too large\n")
    #expect(response.header("connection") == "close")
    #expect(uploadDone.wait(timeout: 10))
    #expect(uploadFailed.withLock { $0 } == nil, "the upload was cut: errno \(uploadFailed.withLock { $0 } ?? 0)")
    var byte: UInt8 = 0
    #expect(recv(connection.fd, &byte, 1, 0) == 0, "a clean end of stream, not a reset")
    #expect(eventually { server.activeConnections == 0 })
  }

  @Test func shutdownLetsLaterWorkFinishThenEveryThreadExits() throws {
    let started = Latch()
    let server = try HTTPServer(configuration: testConfiguration(), handler: TwoSpeedHandler(delay: 1, started: started))
    let port = server.port
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: port)
    connection.send(rawRequest("GET", "/later/work"))
    #expect(started.wait(timeout: 5))
    #expect(serverThreads(port: port) >= 2)  // loops and the worker
    let shutdownStarted = now()
    server.shutdown(grace: 10)
    let elapsed = now() - shutdownStarted
    #expect(elapsed > 0.5, "shutdown returned before the request in flight finished")
    #expect(elapsed < 2.5, "shutdown took \(elapsed) s for 1 s of work")
    let response = try #require(connection.readResponse())
    #expect(response.text == "later /later/work")
    #expect(response.header("connection") == "close")
    #expect(server.activeConnections == 0)
    #expect(refusesConnections(port: port))
    #expect(eventually(timeout: 2) { serverThreads(port: port) == 0 }, "\(serverThreads(port: port)) threads left")
  }

  @Test func fullWorkerQueueAnswers503AtOnce() throws {
    let release = Latch()
    let running = Atomic<Int>(0)
    let configuration = testConfiguration {
      $0.maximumWorkerThreads = 2
      $0.maximumQueuedRequests = 2
    }
    let server = try HTTPServer(configuration: configuration, handler: HTTPClosureHandler { request in
      running.wrappingAdd(1, ordering: .relaxed)
      _ = release.wait(timeout: 20)
      return .text(200, "done \(request.path)")
    })
    defer { server.shutdown(grace: 5) }
    // Two requests occupy both workers, two more wait in the queue.
    let busy = try (0..<4).map { _ in try RawConnection(port: server.port) }
    for (i, connection) in busy.prefix(2).enumerated() { connection.send(rawRequest("GET", "/busy/\(i)")) }
    #expect(eventually { running.load(ordering: .relaxed) == 2 })
    for (i, connection) in busy.suffix(2).enumerated() { connection.send(rawRequest("GET", "/queued/\(i)")) }
    usleep(200_000)
    let started = now()
    let refused = try httpRequest(port: server.port, method: "GET", path: "/over")
    #expect(now() - started < 1)
    #expect(refused.status == 503)
    #expect(refused.header("retry-after") == "1")
    release.open()
    #expect(busy[0].readResponse()?.text == "done /busy/0")
    #expect(busy[1].readResponse()?.text == "done /busy/1")
    #expect(busy[2].readResponse()?.text == "done /queued/0")
    #expect(busy[3].readResponse()?.text == "done /queued/1")
    // With the queue drained, the same kind of request is served again.
    #expect(try httpRequest(port: server.port, method: "GET", path: "/after").text == "done /after")
  }

  /// A response larger than the socket buffer is written across partial writes (EPOLLOUT),
  /// and the connection is still usable afterwards.
  @Test func largeNowResponseSurvivesPartialWrites() throws {
    let big = [UInt8](repeating: 0x7A, count: 8 << 20)
    let large = try HTTPServer(configuration: testConfiguration(), handler: BigHandler(body: big))
    defer { large.shutdown(grace: 5) }
    let connection = try RawConnection(port: large.port)
    connection.send(rawRequest("GET", "/now/big"))
    usleep(200_000)  // let the server fill the socket buffers and wait for EPOLLOUT
    let response = try #require(connection.readResponse())
    #expect(response.body.count == big.count)
    #expect(response.body == big)
    connection.send(rawRequest("GET", "/now/small"))
    #expect(connection.readResponse()?.text == "small")
  }

  /// A stream answered `.now` is written by a thread of its own; the loop gets the connection
  /// back for the next request.
  @Test func nowStreamThenNextRequestOnTheSameConnection() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: StreamNowHandler())
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("GET", "/stream") + rawRequest("GET", "/next"))
    let streamed = try #require(connection.readResponse())
    #expect(streamed.header("transfer-encoding") == "chunked")
    #expect(streamed.text == "abc")
    #expect(connection.readResponse()?.text == "next")
  }
}

struct BigHandler: HTTPHandler {
  let body: [UInt8]
  func handle(_ request: HTTPRequest) -> HTTPResponse { .text(200, "small") }
  func reply(_ request: HTTPRequest) -> HTTPReply {
    request.path == "/now/big" ? .now(HTTPResponse(status: 200, body: body)) : .now(handle(request))
  }
}

struct StreamNowHandler: HTTPHandler {
  func handle(_ request: HTTPRequest) -> HTTPResponse { .text(200, "next") }
  func reply(_ request: HTTPRequest) -> HTTPReply {
    guard request.path == "/stream" else { return .now(handle(request)) }
    return .now(HTTPResponse(status: 200) { sink in
      for part in ["a", "b", "c"] { try sink.write(Array(part.utf8)) }
    })
  }
}
