import KcdHTTP
import Testing

/// kcd's outgoing client keeps its connections: requests one after another go over one socket
/// (the pooled handle's multi handle holds the connection cache between transfers).
@Suite struct HTTPClientReuseTests {
  @Test("sequential requests reuse one connection")
  func sequentialRequestsReuseTheConnection() throws {
    let server = try HTTPServer(configuration: testConfiguration(), handler: HTTPClosureHandler { request in
      .text(200, request.remoteAddress)
    })
    defer { server.shutdown(grace: 5) }
    let client = HTTPClient()
    var peers: [String] = []
    for _ in 0..<4 {
      let response = try client.send(HTTPClientRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/"))
      #expect(response.status == 200)
      peers.append(String(decoding: response.body, as: UTF8.self))
    }
    #expect(Set(peers).count == 1, "\(peers)")
    #expect(peers.first?.hasPrefix("127.0.0.1:") == true)
  }
}
