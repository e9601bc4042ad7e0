import KcdHTTP
import Testing

/// The head as the server hands it to the parser: everything before the blank line.
private func parse(_ text: String, maximumHeaderCount: Int = HTTPHeadParser.maximumHeaderCount) throws(HTTPParseError) -> HTTPRequestHead {
  try HTTPHeadParser.parse(Array(text.utf8)[...], maximumHeaderCount: maximumHeaderCount)
}

/// The status a refused head gets, or nil when it parses.
private func refusal(_ bytes: [UInt8], maximumHeaderCount: Int = HTTPHeadParser.maximumHeaderCount) -> Int? {
  do {
    _ = try HTTPHeadParser.parse(bytes[...], maximumHeaderCount: maximumHeaderCount)
    return nil
  } catch {
    return error.status
  }
}

private func refusal(_ text: String) -> Int? { refusal(Array(text.utf8)) }

/// Request line, header syntax and RFC 9112 framing decisions, without sockets.
@Suite struct HTTPHeadParserTests {
  @Test func simpleGet() throws {
    let head = try parse("GET /apis/v1/things?watch=1 HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n")
    #expect(head.method == "GET")
    #expect(head.target == "/apis/v1/things?watch=1")
    #expect(head.version == .http11)
    #expect(head.framing == .none)
    #expect(head.headers.count == 2)
    #expect(head.headers["host"] == "example")
    #expect(head.headers["ACCEPT"] == "*/*")
  }

  @Test func bareLineFeedsAreAccepted() throws {
    let head = try parse("POST /x HTTP/1.1\nHost: a\nContent-Length: 3\n")
    #expect(head.method == "POST")
    #expect(head.framing == .length(3))
  }

  @Test func asteriskFormTarget() throws {
    #expect(try parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n").target == "*")
  }

  @Test func http10NeedsNoHost() throws {
    let head = try parse("GET / HTTP/1.0\r\n")
    #expect(head.version == .http10)
    #expect(head.headers.count == 0)
  }

  @Test func valuesAreTrimmedAndOrderAndDuplicatesKept() throws {
    let head = try parse("GET / HTTP/1.1\r\nHost: a\r\nX-A:  one \t\r\nx-a:two\r\nX-Empty:\r\nX-Inner: a  b\r\n")
    #expect(head.headers.values("X-A") == ["one", "two"])
    #expect(head.headers["X-Empty"] == "")
    #expect(head.headers["X-Inner"] == "a  b")
    #expect(head.headers.fields.map(\.name) == ["Host", "X-A", "x-a", "X-Empty", "X-Inner"])
  }

  @Test func utf8ValuesAndTokenCharactersInNames() throws {
    let head = try parse("GET / HTTP/1.1\r\nHost: a\r\nX-Note: héllo\r\nX!#$%&'*+-.^_`|~1: ok\r\n")
    #expect(head.headers["X-Note"] == "héllo")
    #expect(head.headers["X!#$%&'*+-.^_`|~1"] == "ok")
  }

  // MARK: Framing (RFC 9112 §6)

  @Test(arguments: [
    ("Content-Length: 0", HTTPRequestHead.Framing.none),
    ("Content-Length: 42", .length(42)),
    ("content-length: 000123", .length(123)),
    ("Content-Length: 999999999999999999", .length(999_999_999_999_999_999)),
    ("Transfer-Encoding: chunked", .chunked),
    ("Transfer-Encoding: Chunked", .chunked),
    ("transfer-encoding:   CHUNKED  ", .chunked),
    ("X-Other: 1", .none),
  ])
  func framing(header: String, expected: HTTPRequestHead.Framing) throws {
    #expect(try parse("POST / HTTP/1.1\r\nHost: a\r\n\(header)\r\n").framing == expected)
  }

  @Test(arguments: [
    // Smuggling vectors: both framings, or two lengths that may disagree between hops.
    ("Content-Length: 5\r\nTransfer-Encoding: chunked", 400),
    ("Transfer-Encoding: chunked\r\nContent-Length: 5", 400),
    ("Content-Length: 5\r\nContent-Length: 5", 400),
    ("Content-Length: 5\r\nContent-Length: 6", 400),
    ("Content-Length: 5, 5", 400),
    ("Content-Length: abc", 400),
    ("Content-Length: -1", 400),
    ("Content-Length: +5", 400),
    ("Content-Length: 0x10", 400),
    ("Content-Length: 1 2", 400),
    ("Content-Length:", 400),
    ("Content-Length: 1234567890123456789", 400),
    ("Content-Length: ５", 400),
    // Codings the server cannot decode.
    ("Transfer-Encoding: gzip", 501),
    ("Transfer-Encoding: gzip, chunked", 501),
    ("Transfer-Encoding: chunked, gzip", 501),
    ("Transfer-Encoding: identity", 501),
    ("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", 501),
    ("Transfer-Encoding:", 501),
  ])
  func framingRefusals(headers: String, status: Int) {
    #expect(refusal("POST / HTTP/1.1\r\nHost: a\r\n\(headers)\r\n") == status)
  }

  // MARK: Request line

  @Test(arguments: [
    ("", 400),
    ("\r\n", 400),
    ("GET / HTTP/1.1\r\n", 400),  // no Host
    ("GET / HTTP/1.1\r\nhost: \r\n", nil),  // present, even if empty
    ("GET  / HTTP/1.1\r\nHost: a\r\n", 400),
    ("GET / HTTP/1.1 \r\nHost: a\r\n", 400),
    (" GET / HTTP/1.1\r\nHost: a\r\n", 400),
    ("GET /\r\n", 400),
    ("GET\r\n", 400),
    ("GET / HTTP/2.0\r\nHost: a\r\n", 505),
    ("GET / HTTP/1.2\r\nHost: a\r\n", 505),
    ("GET / http/1.1\r\nHost: a\r\n", 400),
    ("GET / FOO/1.1\r\nHost: a\r\n", 400),
    ("G(T / HTTP/1.1\r\nHost: a\r\n", 400),
    ("GET http://a/ HTTP/1.1\r\nHost: a\r\n", 400),
    ("GET a/b HTTP/1.1\r\nHost: a\r\n", 400),
    ("GET /a\u{7F}b HTTP/1.1\r\nHost: a\r\n", 400),
    ("GET /é HTTP/1.1\r\nHost: a\r\n", 400),
    ("GET /a\tb HTTP/1.1\r\nHost: a\r\n", 400),
  ] as [(String, Int?)])
  func requestLine(text: String, status: Int?) {
    #expect(refusal(text) == status)
  }

  // MARK: Header lines

  @Test(arguments: [
    "Host: a\r\n folded",  // obs-fold, space
    "Host: a\r\n\tfolded",  // obs-fold, tab
    "Host a",  // no colon
    ": value",  // empty name
    "Bad Name: a",  // space in name
    "Name : a",  // space before colon (RFC 9112 §5.1 says 400)
    "Na(me: a",  // not a token
    "X: a\u{01}b",  // control character
    "X: a\u{7F}",  // DEL
    "X: a\rb",  // bare CR inside a value
  ])
  func malformedHeaderLines(line: String) {
    let text = line.hasPrefix("Host") ? "GET / HTTP/1.1\r\n\(line)\r\n" : "GET / HTTP/1.1\r\nHost: a\r\n\(line)\r\n"
    #expect(refusal(text) == 400)
  }

  @Test func nonUTF8ValueIsRefused() {
    let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\nX: ".utf8) + [0xFF, 0xFE] + Array("\r\n".utf8)
    #expect(refusal(bytes) == 400)
  }

  @Test func headerCountLimit() {
    let fields = (1...3).map { "X-\($0): v\r\n" }.joined()
    #expect(refusal(Array("GET / HTTP/1.1\r\nHost: a\r\n\(fields)".utf8), maximumHeaderCount: 4) == nil)
    #expect(refusal(Array("GET / HTTP/1.1\r\nHost: a\r\n\(fields)X-4: v\r\n".utf8), maximumHeaderCount: 4) == 431)
  }

  @Test func defaultHeaderCountLimitIsOneHundred() {
    let ninetyNine = (1...99).map { "X-\($0): v\r\n" }.joined()
    #expect(refusal("GET / HTTP/1.1\r\nHost: a\r\n\(ninetyNine)") == nil)
    #expect(refusal("GET / HTTP/1.1\r\nHost: a\r\n\(ninetyNine)X-100: v\r\n") == 431)
  }

  @Test func errorsCarryStatusAndReason() {
    do {
      _ = try parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n")
      Issue.record("expected a refusal")
    } catch {
      #expect(error.status == 501)
      #expect(error.message == "unsupported transfer coding")
      #expect(error.description == "501 unsupported transfer coding")
    }
  }
}
