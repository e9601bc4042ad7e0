#if canImport(Glibc)
import Glibc
#endif
import KcdHTTP
import KcdTestSupport
import Testing

/// HTTPS with certificates minted by `TLSIdentity`, checked by a real client (curl) so a
/// broken chain, SAN or handshake cannot pass unnoticed.
@Suite(.serialized) struct HTTPServerTLSTests {
  /// A CA, a leaf for 127.0.0.1 signed by it, and the CA written where curl can read it.
  private struct Fixture {
    let authority: TLSIdentity
    let leaf: TLSIdentity
    let caPath: String

    init() throws {
      authority = try TLSIdentity.certificateAuthority(commonName: "kcd test CA")
      leaf = try TLSIdentity.leaf(commonName: "kcd test server", subjectAltNames: ["IP:127.0.0.1", "DNS:localhost"], issuer: authority)
      caPath = TestEnvironment.makeTemporaryDirectory("kcd-http-tls") + "/ca.pem"
      TestEnvironment.write(authority.certificateChainPEM, to: caPath)
    }

    func startServer(handler: any HTTPHandler = echoHandler) throws -> HTTPServer {
      let context = try TLSServerContext(identity: leaf)
      return try HTTPServer(configuration: testConfiguration { $0.tls = context }, handler: handler)
    }
  }

  private func curl(_ arguments: [String]) throws -> ProcessResult {
    try Subprocess.run(["curl", "-sS", "--max-time", "20"] + arguments, timeout: 30)
  }

  @Test func mintedCertificatesArePEM() throws {
    let fixture = try Fixture()
    #expect(fixture.authority.certificateChainPEM.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
    #expect(fixture.leaf.certificateChainPEM.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
    #expect(fixture.leaf.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
    #expect(fixture.leaf.certificateChainPEM != fixture.authority.certificateChainPEM)
  }

  @Test func mismatchedKeyIsRefused() throws {
    let fixture = try Fixture()
    let wrongKey = TLSIdentity(certificateChainPEM: fixture.leaf.certificateChainPEM, privateKeyPEM: fixture.authority.privateKeyPEM)
    #expect(throws: TLSError.self) { _ = try TLSServerContext(identity: wrongKey) }
    let garbage = TLSIdentity(certificateChainPEM: "not a certificate", privateKeyPEM: "not a key")
    #expect(throws: TLSError.self) { _ = try TLSServerContext(identity: garbage) }
  }

  @Test func httpsRoundTripVerifiedByCurl() throws {
    let fixture = try Fixture()
    let server = try fixture.startServer()
    defer { server.shutdown(grace: 5) }
    let url = "https://127.0.0.1:\(server.port)/secure?x=1"
    let get = try curl(["--cacert", fixture.caPath, url])
    #expect(get.status == 0, "\(get)")
    #expect(get.stdout == "GET /secure?x=1\n")

    let post = try curl(["--cacert", fixture.caPath, "--data-binary", "sealed", "https://localhost:\(server.port)/p"])
    #expect(post.status == 0, "\(post)")
    #expect(post.stdout == "POST /p\nsealed")
  }

  /// Two requests over one TLS session exercise keep-alive through `TLSStream`.
  @Test func httpsKeepAliveReusesTheSession() throws {
    let fixture = try Fixture()
    let server = try fixture.startServer()
    defer { server.shutdown(grace: 5) }
    let base = "https://127.0.0.1:\(server.port)"
    let result = try curl(["--cacert", fixture.caPath, "-w", "|%{num_connects}\n", "\(base)/a", "\(base)/b"])
    #expect(result.status == 0, "\(result)")
    #expect(result.stdout == "GET /a\n|1\nGET /b\n|0\n")
  }

  @Test func curlRejectsAServerFromAnotherAuthority() throws {
    let fixture = try Fixture()
    let other = try Fixture()
    let server = try fixture.startServer()
    defer { server.shutdown(grace: 5) }
    let result = try curl(["--cacert", other.caPath, "https://127.0.0.1:\(server.port)/"])
    #expect(result.status == 60, "\(result)")  // CURLE_PEER_FAILED_VERIFICATION
    #expect(result.stdout == "")
  }

  @Test func plainHTTPToTheTLSPortFailsWithoutHarm() throws {
    let fixture = try Fixture()
    let server = try fixture.startServer()
    defer { server.shutdown(grace: 5) }
    let connection = try RawConnection(port: server.port)
    connection.send(rawRequest("GET", "/plain"))
    let started = now()
    let reply = connection.readAll()
    #expect(now() - started < 10, "the server should close, not wait for a handshake")
    #expect(!reply.contains("GET /plain"))
    #expect(!reply.hasPrefix("HTTP/1.1 200"))
    #expect(eventually { server.activeConnections == 0 })

    let after = try curl(["--cacert", fixture.caPath, "https://127.0.0.1:\(server.port)/after"])
    #expect(after.stdout == "GET /after\n", "\(after)")
  }

  /// OpenSSL writes with write(2); a peer that hangs up mid-stream must cost an error on that
  /// connection, not a SIGPIPE that kills the whole process. The client closes cleanly after
  /// reading everything, so the server's socket sees FIN, then RST for its next write, and the
  /// write after that is the one that raises SIGPIPE unless it is blocked.
  @Test func tlsClientHangingUpMidStreamDoesNotKillTheProcess() throws {
    let fixture = try Fixture()
    let streamEnded = Latch()
    let server = try fixture.startServer(handler: HTTPClosureHandler { request in
      guard request.path == "/endless" else { return echoHandler.handle(request) }
      return HTTPResponse(status: 200) { sink in
        defer { streamEnded.open() }
        try sink.write(Array("first".utf8))
        let deadline = now() + 20
        while !sink.isClosed && now() < deadline { usleep(10_000) }
        // Write without checking isClosed again, so writes after the hang-up really happen.
        while now() < deadline { try sink.write(Array("more".utf8)) }
      }
    })
    defer { server.shutdown(grace: 5) }
    let url = "https://127.0.0.1:\(server.port)/endless"
    let result = try Subprocess.run(["curl", "-sS", "-N", "--max-time", "0.5", "--cacert", fixture.caPath, url], timeout: 30)
    #expect(result.status == 28, "\(result)")  // CURLE_OPERATION_TIMEDOUT, after reading the first chunk
    #expect(result.stdout == "first")
    #expect(streamEnded.wait(timeout: 15))
    #expect(eventually { server.activeConnections == 0 })

    let after = try curl(["--cacert", fixture.caPath, "https://127.0.0.1:\(server.port)/after"])
    #expect(after.stdout == "GET /after\n", "\(after)")
  }
}
