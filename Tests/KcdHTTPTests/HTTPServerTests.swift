import KcdHTTP
import KcdTestSupport
import Testing

/// Message exchange over real sockets: round trips, keep-alive, pipelining, chunked bodies,
/// HEAD, `Expect: 100-continue`, streamed responses and graceful shutdown.
@Suite(.serialized) struct HTTPServerTests {
  @Test func getRoundTrip() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let response = try httpRequest(port: server.port, method: "GET", path: "/hello?x=1")
    #expect(response.status == 200)
    #expect(response.text == "GET /hello?x=1\n")
    #expect(response.header("content-type") == "text/plain; charset=utf-8")
    #expect(response.header("content-length") == "15")
    #expect(response.header("connection") == "close")
  }

  @Test func postRoundTrip() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let response = try httpRequest(port: server.port, method: "POST", path: "/echo", body: #"{"a":1}"#)
    #expect(response.status == 200)
    #expect(response.text == "POST /echo\n{\"a\":1}")
  }

  @Test func handlerSeesDecodedRequest() throws {
    let seen = SeenRequest()
    let server = try HTTPServer(configuration: testConfiguration(), handler: HTTPClosureHandler { request in
      seen.record(request)
      return HTTPResponse(status: 201, headers: ["X-Custom": "yes"])
    })
    defer { server.shutdown(grace: 5) }
    let response = try httpRequest(port: server.port, method: "PUT", path: "/a%20b?k=v+w", headers: ["X-Test": "1"], body: "data")
    #expect(response.status == 201)
    #expect(response.header("x-custom") == "yes")
    #expect(response.header("content-length") == "0")
    let request = try #require(seen.request)
    #expect(request.method == "PUT")
    #expect(request.path == "/a b")
    #expect(request.queryValue("k") == "v w")
    #expect(request.headers["x-test"] == "1")
    #expect(request.body == Array("data".utf8))
    #expect(request.version == .http11)
    #expect(request.remoteAddress.hasPrefix("127.0.0.1:"))
  }

  /// Handlers may not smuggle their own framing headers into the response.
  @Test func handlerFramingHeadersAreReplaced() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: HTTPClosureHandler { _ in
      HTTPResponse(status: 200, headers: ["Content-Length": "999", "Transfer-Encoding": "chunked"], body: Array("ok".utf8))
    })
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("GET", "/", headers: ["Connection: close"]))
    let text = connection.readAll()
    #expect(text == "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
  }

  @Test func keepAliveServesTwoRequestsOnOneConnection() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("GET", "/first"))
    let first = try #require(connection.readResponse())
    #expect(first.status == 200)
    #expect(first.text == "GET /first\n")
    #expect(first.header("connection") == nil)
    connection.send(rawRequest("POST", "/second", body: "body"))
    let second = try #require(connection.readResponse())
    #expect(second.text == "POST /second\nbody")
    #expect(server.activeConnections == 1)
  }

  @Test func connectionCloseEndsTheConnection() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("GET", "/bye", headers: ["Connection: close"]))
    let response = try #require(connection.readResponse())
    #expect(response.status == 200)
    #expect(response.header("connection") == "close")
    #expect(connection.isClosedByPeer(timeout: 5))
  }

  @Test func http10ClosesUnlessKeepAliveIsAsked() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let plain = try RawConnection(port: server.port)
    plain.send("GET /old HTTP/1.0\r\n\r\n")
    let response = try #require(plain.readResponse())
    #expect(response.text == "GET /old\n")
    #expect(response.header("connection") == "close")
    #expect(plain.isClosedByPeer(timeout: 5))

    let kept = try RawConnection(port: server.port)
    kept.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    #expect(kept.readResponse()?.text == "GET /a\n")
    kept.send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    #expect(kept.readResponse()?.text == "GET /b\n")
  }

  @Test func pipelinedRequestsAreAnsweredInOrder() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(
      rawRequest("GET", "/one") + rawRequest("POST", "/two", body: "2222") + "\r\n"
        + rawRequest("PUT", "/three", headers: ["Transfer-Encoding: chunked"]) + "3\r\nabc\r\n0\r\n\r\n"
        + rawRequest("GET", "/four", headers: ["Connection: close"]))
    let texts = (0..<4).map { _ in connection.readResponse()?.text }
    #expect(texts == ["GET /one\n", "POST /two\n2222", "PUT /three\nabc", "GET /four\n"])
    #expect(connection.isClosedByPeer(timeout: 5))
  }

  @Test func chunkedRequestBody() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("POST", "/echo", headers: ["Transfer-Encoding: chunked"]))
    connection.send("5;ext=1\r\nhello\r\n")
    connection.send("6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
    let response = try #require(connection.readResponse())
    #expect(response.status == 200)
    #expect(response.text == "POST /echo\nhello world")
    // The connection is still usable: the decoder consumed exactly the body.
    connection.send(rawRequest("GET", "/after"))
    #expect(connection.readResponse()?.text == "GET /after\n")
  }

  @Test func headResponseHasHeadersButNoBody() throws {
    let seen = SeenRequest()
    let server = try HTTPServer(configuration: testConfiguration(), handler: HTTPClosureHandler { request in
      seen.record(request)
      return .text(200, "twelve bytes")
    })
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("HEAD", "/thing", headers: ["Connection: close"]))
    let text = connection.readAll()
    #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: 12\r\n\r\n")
    #expect(seen.request?.method == "HEAD")
  }

  /// After a HEAD the next response on the same connection must start cleanly.
  @Test func headThenGetOnOneConnection() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("HEAD", "/x") + rawRequest("GET", "/y", headers: ["Connection: close"]))
    let text = connection.readAll()
    let expectedHead = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 8\r\n\r\n"
    let expectedGet = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: 7\r\n\r\nGET /y\n"
    #expect(text == expectedHead + expectedGet)
  }

  @Test func expectContinueGetsInterimResponseThenTheAnswer() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("POST", "/upload", headers: ["Expect: 100-continue", "Content-Length: 5"]))
    let interim = try #require(connection.readResponse())
    #expect(interim.status == 100)
    connection.send("hello")
    let response = try #require(connection.readResponse())
    #expect(response.status == 200)
    #expect(response.text == "POST /upload\nhello")
  }

  @Test func expectContinueWithChunkedBody() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("POST", "/upload", headers: ["Expect: 100-Continue", "Transfer-Encoding: chunked"]))
    #expect(connection.readResponse()?.status == 100)
    connection.send("2\r\nok\r\n0\r\n\r\n")
    #expect(connection.readResponse()?.text == "POST /upload\nok")
  }

  /// A body that would be refused anyway is refused before the client is invited to send it.
  @Test func expectContinueOverTheLimitGets413WithoutContinue() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("POST", "/upload", headers: ["Expect: 100-continue", "Content-Length: 65"]))
    let response = try #require(connection.readResponse())
    #expect(response.status == 413)
    #expect(connection.isClosedByPeer(timeout: 5))
  }

  @Test func streamedResponseDeliversEachChunkAsWritten() throws {
    let clientSawFirstChunk = Latch()
    let streamFinished = Latch()
    let server = try HTTPServer(configuration: testConfiguration(), handler: HTTPClosureHandler { _ in
      HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"]) { sink in
        try sink.write(Array("one".utf8))
        // Only continue once the client has the first chunk: proves writes are not buffered.
        guard clientSawFirstChunk.wait(timeout: 10) else { return }
        try sink.write(Array("two".utf8))
        try sink.write([])
        try sink.write(Array("three".utf8))
        streamFinished.open()
      }
    })
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("GET", "/watch", headers: ["Connection: close"]))
    var received: [UInt8] = []
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
    #expect(receive(connection, into: &received, until: head + "3\r\none\r\n"))
    #expect(!streamFinished.isOpen)
    clientSawFirstChunk.open()
    #expect(receive(connection, into: &received, until: "0\r\n\r\n"))
    #expect(String(decoding: received, as: UTF8.self) == head + "3\r\none\r\n3\r\ntwo\r\n5\r\nthree\r\n0\r\n\r\n")
    #expect(streamFinished.isOpen)
    #expect(connection.isClosedByPeer(timeout: 5))
  }

  @Test func streamedResponseKeepsTheConnectionAlive() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: HTTPClosureHandler { request in
      if request.path == "/stream" {
        return HTTPResponse(status: 200) { sink in
          for word in ["alpha", "beta", "gamma"] { try sink.write(Array(word.utf8)) }
        }
      }
      return echoHandler.handle(request)
    })
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("GET", "/stream"))
    let streamed = try #require(connection.readResponse())
    #expect(streamed.status == 200)
    #expect(streamed.header("transfer-encoding") == "chunked")
    #expect(streamed.header("content-length") == nil)
    #expect(streamed.text == "alphabetagamma")
    connection.send(rawRequest("GET", "/next"))
    #expect(connection.readResponse()?.text == "GET /next\n")
  }

  @Test func gracefulShutdownLetsInFlightRequestFinish() throws {
    let handlerStarted = Latch()
    let releaseHandler = Latch()
    let shutdownReturned = Latch()
    let server = try HTTPServer(configuration: testConfiguration(), handler: HTTPClosureHandler { request in
      handlerStarted.open()
      _ = releaseHandler.wait(timeout: 20)
      return .text(200, "finished " + request.path)
    })
    let port = server.port
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: port)
    connection.send(rawRequest("GET", "/slow"))
    #expect(handlerStarted.wait())

    Threads.spawn {
      server.shutdown(grace: 20)
      shutdownReturned.open()
    }
    // The listener closes at once; the in-flight request keeps shutdown waiting.
    #expect(eventually { refusesConnections(port: port) })
    // Probe connections that got in before the listener closed are dropped within a poll slice.
    #expect(eventually { server.activeConnections == 1 })
    #expect(!shutdownReturned.isOpen)

    releaseHandler.open()
    let response = try #require(connection.readResponse())
    #expect(response.status == 200)
    #expect(response.text == "finished /slow")
    #expect(response.header("connection") == "close")
    #expect(shutdownReturned.wait(timeout: 20))
    #expect(server.activeConnections == 0)
    #expect(refusesConnections(port: port))
  }

  @Test func shutdownClosesIdleConnectionsPromptly() throws {
    let server = try HTTPServer(configuration: testConfiguration { $0.idleTimeout = 60 }, handler: echoHandler)
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("GET", "/"))
    #expect(connection.readResponse()?.status == 200)
    let started = now()
    server.shutdown(grace: 20)
    #expect(now() - started < 10)
    #expect(server.activeConnections == 0)
    #expect(connection.isClosedByPeer(timeout: 5))
  }
}
