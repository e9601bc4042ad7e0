import KcdHTTP
import Testing

/// Query pairs as plain tuples are not Equatable; compare them as "name=value" strings.
private func pairs(_ request: HTTPRequest) -> [String] { request.query.map { "\($0.name)=\($0.value)" } }

/// Target splitting, percent-decoding (Go `url.ParseQuery` rules) and keep-alive (RFC 9112 §9.3).
@Suite struct HTTPRequestTests {
  @Test func pathWithoutQuery() {
    let request = HTTPRequest(method: "GET", target: "/api/v1/namespaces/default/pods")
    #expect(request.path == "/api/v1/namespaces/default/pods")
    #expect(request.query.isEmpty)
    #expect(request.pathSegments == ["api", "v1", "namespaces", "default", "pods"])
    #expect(request.target == "/api/v1/namespaces/default/pods")
  }

  @Test func pathSegmentsSkipEmptyOnes() {
    #expect(HTTPRequest(method: "GET", target: "//a///b/").pathSegments == ["a", "b"])
    #expect(HTTPRequest(method: "GET", target: "/").pathSegments == [])
    #expect(HTTPRequest(method: "GET", target: "*").pathSegments == ["*"])
  }

  @Test func queryIsSplitInOrder() {
    let request = HTTPRequest(method: "GET", target: "/pods?watch=1&labelSelector=app%3Dweb&limit=500")
    #expect(request.path == "/pods")
    #expect(pairs(request) == ["watch=1", "labelSelector=app=web", "limit=500"])
    #expect(request.queryValue("labelSelector") == "app=web")
    #expect(request.queryValue("missing") == nil)
    #expect(request.target == "/pods?watch=1&labelSelector=app%3Dweb&limit=500")
  }

  @Test(arguments: [
    ("a=b+c", "a=b c"),
    ("a=b%2Bc", "a=b+c"),
    ("a=%3D%3d", "a==="),
    ("a+b=c", "a b=c"),
    ("k%20ey=v%20al", "k ey=v al"),
    ("a=1=2", "a=1=2"),
    ("a=%E2%82%AC", "a=€"),
    ("a=%zz", "a=%zz"),
    ("a=%4", "a=%4"),
    ("a=%", "a=%"),
    ("a=100%", "a=100%"),
    ("flag", "flag="),
    ("a=", "a="),
    ("=v", "=v"),
    ("fieldSelector=metadata.name%3Dweb%2Cstatus.phase%21%3DFailed", "fieldSelector=metadata.name=web,status.phase!=Failed"),
  ])
  func queryDecoding(query: String, expected: String) {
    #expect(pairs(HTTPRequest(method: "GET", target: "/?\(query)")) == [expected])
  }

  @Test func emptyPairsAreSkippedAndRepeatsKept() {
    let request = HTTPRequest(method: "GET", target: "/x?&a=1&&a=2&")
    #expect(pairs(request) == ["a=1", "a=2"])
    #expect(request.queryValue("a") == "1")
    #expect(HTTPRequest(method: "GET", target: "/x?").query.isEmpty)
  }

  /// Only the first `?` starts the query; later ones belong to values.
  @Test func questionMarksInsideTheQuery() {
    let request = HTTPRequest(method: "GET", target: "/x?a=b?c")
    #expect(request.path == "/x")
    #expect(pairs(request) == ["a=b?c"])
  }

  /// In paths `+` is a literal plus; only queries treat it as a space.
  @Test func pathDecoding() {
    #expect(HTTPRequest(method: "GET", target: "/a+b").path == "/a+b")
    #expect(HTTPRequest(method: "GET", target: "/a%20b%2Bc").path == "/a b+c")
    #expect(HTTPRequest(method: "GET", target: "/caf%C3%A9?x=1").path == "/café")
    #expect(HTTPRequest(method: "GET", target: "/bad%G0").path == "/bad%G0")
  }

  @Test func percentEncodingRoundTrips() {
    let text = "app=web, tier in (a,b) & ü/+~"
    let encoded = PercentDecoding.encode(text)
    #expect(encoded == "app%3Dweb%2C%20tier%20in%20%28a%2Cb%29%20%26%20%C3%BC%2F%2B~")
    #expect(PercentDecoding.decode(encoded, plusIsSpace: true) == text)
    #expect(PercentDecoding.encode("AZaz09-._~") == "AZaz09-._~")
  }

  // MARK: Keep-alive

  @Test(arguments: [
    (HTTPVersion.http11, [:], true),
    (.http11, ["Connection": "close"], false),
    (.http11, ["Connection": "Close"], false),
    (.http11, ["Connection": "keep-alive"], true),
    (.http11, ["Connection": "Upgrade, close"], false),
    (.http11, ["Connection": " te ,CLOSE "], false),
    (.http11, ["Connection": "closed"], true),
    (.http10, [:], false),
    (.http10, ["Connection": "keep-alive"], true),
    (.http10, ["Connection": "Keep-Alive"], true),
    (.http10, ["Connection": "foo, keep-alive"], true),
    (.http10, ["Connection": "keep-alive, close"], false),
    (.http10, ["Connection": "keep-alive-ish"], false),
  ] as [(HTTPVersion, [String: String], Bool)])
  func keepAlive(version: HTTPVersion, fields: [String: String], expected: Bool) {
    var headers = HTTPHeaders()
    for (name, value) in fields { headers.add(name, value) }
    let request = HTTPRequest(method: "GET", target: "/", version: version, headers: headers)
    #expect(request.wantsKeepAlive == expected)
  }

  /// Several `Connection` fields are one list (RFC 9110 §5.3).
  @Test func connectionTokensAcrossSeveralFields() {
    var headers = HTTPHeaders()
    headers.add("Connection", "keep-alive")
    headers.add("connection", "close")
    #expect(!HTTPRequest(method: "GET", target: "/", version: .http11, headers: headers).wantsKeepAlive)
    var tenHeaders = HTTPHeaders()
    tenHeaders.add("X-Other", "1")
    tenHeaders.add("CONNECTION", "keep-alive")
    #expect(HTTPRequest(method: "GET", target: "/", version: .http10, headers: tenHeaders).wantsKeepAlive)
  }

  // MARK: Headers

  @Test func headerSetReplacesEveryField() {
    var headers: HTTPHeaders = ["A": "1", "a": "2", "B": "3"]
    headers.set("A", "x")
    #expect(headers.values("a") == ["x"])
    #expect(headers.count == 2)
    headers.remove("b")
    #expect(!headers.contains("B"))
    #expect(headers.map(\.name) == ["A"])
  }
}
