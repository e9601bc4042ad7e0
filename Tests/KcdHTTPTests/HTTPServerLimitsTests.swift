import KcdCore
import KcdHTTP
import KcdTestSupport
import Testing

/// What an internet-facing listener refuses and when it gives up on a client: framing errors,
/// size limits, timeouts and the connection cap. Every refusal must close the connection.
@Suite(.serialized) struct HTTPServerLimitsTests {
  /// Sends `text` on a new connection and expects the error `status` with `message`, then a close.
  private func expectRefusal(_ text: String, status: Int, message: String, configuration: HTTPServerConfiguration = testConfiguration()) throws {
    let server = try HTTPServer(configuration: configuration, handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(text)
    let response = try #require(connection.readResponse())
    #expect(response.status == status)
    #expect(response.text == message + "\n")
    #expect(response.header("connection") == "close")
    #expect(connection.isClosedByPeer(timeout: 5))
    // The server itself is unharmed.
    #expect(try httpRequest(port: server.port, method: "GET", path: "/ok").text == "GET /ok\n")
  }

  // MARK: Framing

  @Test(arguments: [
    (rawRequest("POST", "/", headers: ["Content-Length: 5", "Transfer-Encoding: chunked"]) + "hello", 400,
     "both Transfer-Encoding and Content-Length"),
    (rawRequest("POST", "/", headers: ["Content-Length: 5", "Content-Length: 5"]) + "hello", 400, "several Content-Length fields"),
    (rawRequest("POST", "/", headers: ["Content-Length: 5x"]), 400, "invalid Content-Length"),
    (rawRequest("POST", "/", headers: ["Transfer-Encoding: gzip"]), 501, "unsupported transfer coding"),
    ("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, "missing Host header"),
    ("GET / HTTP/2.0\r\nHost: test\r\n\r\n", 505, "unsupported HTTP version"),
    ("GET / HTTP/1.1\r\nHost: test\r\nX-A: 1\r\n folded\r\n\r\n", 400, "obsolete line folding is not accepted"),
    ("GET /\r\n\r\n", 400, "malformed request line"),
  ])
  func malformedHeadsAreRefused(text: String, status: Int, message: String) throws {
    try expectRefusal(text, status: status, message: message)
  }

  @Test func badChunkFramingIsRefused() throws {
    try expectRefusal(
      rawRequest("POST", "/", headers: ["Transfer-Encoding: chunked"]) + "5\r\nhelloXX0\r\n\r\n",
      status: 400, message: "chunk not terminated by CRLF")
  }

  @Test func badChunkSizeIsRefused() throws {
    try expectRefusal(rawRequest("POST", "/", headers: ["Transfer-Encoding: chunked"]) + "zz\r\n", status: 400, message: "invalid chunk size")
  }

  @Test func overlongChunkHeaderIsRefused() throws {
    let text = rawRequest("POST", "/", headers: ["Transfer-Encoding: chunked"]) + "5;" + String(repeating: "e", count: 2000)
    try expectRefusal(text, status: 400, message: "chunk header too long")
  }

  /// An overflowing chunk size is a remote crash if it is not caught before the arithmetic.
  @Test func hugeChunkSizeIsRefused() throws {
    let text = rawRequest("POST", "/", headers: ["Transfer-Encoding: chunked"]) + "1\r\na\r\nFFFFFFFFFFFFFFFF\r\n"
    try expectRefusal(text, status: 413, message: "request body too large")
  }

  // MARK: Sizes

  @Test func bodyAtTheLimitIsAccepted() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let body = String(repeating: "b", count: 64)
    #expect(try httpRequest(port: server.port, method: "POST", path: "/", body: body).text == "POST /\n" + body)
  }

  @Test func contentLengthOverTheLimitIs413() throws {
    let body = String(repeating: "b", count: 65)
    try expectRefusal(rawRequest("POST", "/", body: body), status: 413, message: "request body too large")
  }

  @Test func chunkedBodyOverTheLimitIs413() throws {
    let chunk = String(repeating: "c", count: 40)
    let text = rawRequest("POST", "/", headers: ["Transfer-Encoding: chunked"]) + "28\r\n\(chunk)\r\n28\r\n\(chunk)\r\n0\r\n\r\n"
    try expectRefusal(text, status: 413, message: "request body too large")
  }

  @Test func incompleteHeadOverTheLimitIs431() throws {
    let text = "GET / HTTP/1.1\r\nHost: test\r\nX-Big: " + String(repeating: "a", count: 1100)
    try expectRefusal(text, status: 431, message: "request head too large")
  }

  /// The limit holds however the bytes arrive, including a whole oversized head in one read.
  @Test func completeHeadOverTheLimitIs431() throws {
    let text = rawRequest("GET", "/", headers: ["X-Big: " + String(repeating: "a", count: 1100)])
    try expectRefusal(text, status: 431, message: "request head too large")
  }

  @Test func headJustUnderTheLimitIsAccepted() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    let base = rawRequest("GET", "/", headers: ["X-Big: "])
    connection.send(rawRequest("GET", "/", headers: ["X-Big: " + String(repeating: "a", count: 1024 - base.utf8.count)]))
    #expect(connection.readResponse()?.text == "GET /\n")
  }

  @Test func tooManyHeaderFieldsIs431() throws {
    let fields = (1...20).map { "X-\($0): v" }
    try expectRefusal(rawRequest("GET", "/", headers: fields), status: 431, message: "too many header fields")
  }

  // MARK: Timeouts

  @Test func slowHeadGets408ThenClose() throws {
    let server = try HTTPServer(configuration: strictConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send("GET / HTTP/1.1\r\nHost: te")
    let response = try #require(connection.readResponse())
    #expect(response.status == 408)
    #expect(response.text == "request head not received in time\n")
    #expect(response.header("connection") == "close")
    #expect(connection.isClosedByPeer(timeout: 5))
  }

  @Test func silentNewConnectionGets408() throws {
    let server = try HTTPServer(configuration: strictConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    #expect(connection.readResponse()?.status == 408)
    #expect(connection.isClosedByPeer(timeout: 5))
    #expect(eventually { server.activeConnections == 0 })
  }

  @Test func slowBodyGets408ThenClose() throws {
    let server = try HTTPServer(configuration: strictConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("POST", "/", headers: ["Content-Length: 10"]) + "abc")
    let response = try #require(connection.readResponse())
    #expect(response.status == 408)
    #expect(response.text == "request body not received in time\n")
    #expect(connection.isClosedByPeer(timeout: 5))
  }

  @Test func slowChunkedBodyGets408() throws {
    let server = try HTTPServer(configuration: strictConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("POST", "/", headers: ["Transfer-Encoding: chunked"]) + "5\r\nab")
    #expect(connection.readResponse()?.status == 408)
    #expect(connection.isClosedByPeer(timeout: 5))
  }

  /// Idle keep-alive connections are closed without a word: an unsolicited 408 on an idle
  /// connection would be read by the client as the answer to its next request.
  @Test func idleKeepAliveConnectionIsClosedSilently() throws {
    let server = try HTTPServer(configuration: strictConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("GET", "/1"))
    #expect(connection.readResponse()?.text == "GET /1\n")
    connection.send(rawRequest("GET", "/2"))
    #expect(connection.readResponse()?.text == "GET /2\n")
    // isClosedByPeer is false if any byte (a 408) arrives before the close.
    #expect(connection.isClosedByPeer(timeout: 10))
    #expect(eventually { server.activeConnections == 0 })
  }

  @Test func idleCloseIsSilentEvenWhenTimeoutsAreEqual() throws {
    let configuration = testConfiguration {
      $0.headerTimeout = 0.5
      $0.idleTimeout = 0.5
    }
    let server = try HTTPServer(configuration: configuration, handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("GET", "/1"))
    #expect(connection.readResponse()?.status == 200)
    #expect(connection.isClosedByPeer(timeout: 10))
  }

  // MARK: Connection cap

  @Test func connectionsOverTheCapGet503AndServiceResumes() throws {
    let configuration = testConfiguration {
      $0.maximumConnections = 4
      $0.headerTimeout = 60
    }
    let server = try HTTPServer(configuration: configuration, handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    var idle = try (0..<4).map { _ in try RawConnection(port: server.port) }
    #expect(eventually { server.activeConnections == 4 })

    let fifth = try RawConnection(port: server.port)
    let response = try #require(fifth.readResponse())
    #expect(response.status == 503)
    #expect(response.header("retry-after") == "1")
    #expect(response.header("connection") == "close")
    #expect(response.text == "too many connections")
    #expect(fifth.isClosedByPeer(timeout: 5))
    #expect(server.activeConnections == 4)

    // The capped connections are still served normally.
    idle[0].send(rawRequest("GET", "/still-served"))
    #expect(idle[0].readResponse()?.text == "GET /still-served\n")

    idle.removeAll()  // closes them
    #expect(eventually { server.activeConnections == 0 })
    #expect(try httpRequest(port: server.port, method: "GET", path: "/again").text == "GET /again\n")
  }

  /// One peer cannot take every connection: past its own cap it gets the 503 while another
  /// peer is still served.
  @Test func connectionsOverThePeerCapGet503WhileOtherPeersAreServed() throws {
    let configuration = testConfiguration {
      $0.maximumConnections = 8
      $0.maximumConnectionsPerPeer = 3
      $0.headerTimeout = 60
      $0.firstRequestTimeout = 60
    }
    let server = try HTTPServer(configuration: configuration, handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    var held = try (0..<3).map { _ in try RawConnection(port: server.port) }
    #expect(eventually { server.activeConnections == 3 })
    let fourth = try RawConnection(port: server.port)
    #expect(fourth.readResponse()?.status == 503)
    #expect(fourth.isClosedByPeer(timeout: 5))
    let other = try RawConnection(port: server.port, from: "127.0.0.2")
    other.send(rawRequest("GET", "/other-peer"))
    #expect(other.readResponse()?.text == "GET /other-peer\n")
    // Closing one gives the peer its slot back.
    held.removeFirst()
    #expect(eventually { server.activeConnections == 3 })
    let again = try RawConnection(port: server.port)
    again.send(rawRequest("GET", "/again"))
    #expect(again.readResponse()?.text == "GET /again\n")
    held.removeAll()
  }

  /// A connection that has not sent a request yet has `firstRequestTimeout`, shorter than
  /// the head timeout a kept-alive client gets.
  @Test func aConnectionWithoutARequestIsDroppedSooner() throws {
    let configuration = testConfiguration {
      $0.headerTimeout = 60
      $0.firstRequestTimeout = 0.5
    }
    let server = try HTTPServer(configuration: configuration, handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let started = monotonicSeconds()
    let connection = try RawConnection(port: server.port)
    #expect(connection.readResponse()?.status == 408)
    #expect(monotonicSeconds() - started < 10)
    #expect(eventually { server.activeConnections == 0 })
  }

  /// A refused request (here 401) closes its connection, so a client cannot hold sockets by
  /// sending one bogus request on each; an accepted one keeps it.
  @Test(arguments: [400, 401, 403, 404, 405])
  func aRefusalClosesItsConnection(status: Int) throws {
    let handler = HTTPClosureHandler { request in
      request.target == "/ok" ? .text(200, "ok") : .text(status, "no")
    }
    let server = try HTTPServer(configuration: testConfiguration(), handler: handler)
    defer { server.shutdown(grace: 5) }
    let kept = try RawConnection(port: server.port)
    kept.send(rawRequest("GET", "/ok"))
    let ok = try #require(kept.readResponse())
    #expect(ok.status == 200 && ok.header("connection") == nil)
    #expect(!kept.isClosedByPeer(timeout: 0.3))
    let refused = try RawConnection(port: server.port)
    refused.send(rawRequest("GET", "/no"))
    let response = try #require(refused.readResponse())
    #expect(response.status == status && response.header("connection") == "close")
    #expect(refused.isClosedByPeer(timeout: 5))
  }
}
