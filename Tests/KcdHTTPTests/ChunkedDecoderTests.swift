import KcdHTTP
import Testing

/// Feeds `text` in one piece; returns the decoder and the unused bytes after the body.
private func decode(_ text: String, limit: Int = 1 << 20) throws(HTTPParseError) -> (ChunkedDecoder, String) {
  var decoder = ChunkedDecoder(maximumBodySize: limit)
  let rest = try decoder.feed(Array(text.utf8)[...])
  return (decoder, String(decoding: rest, as: UTF8.self))
}

/// The status a refused body gets, or nil when decoding did not fail.
private func refusal(_ text: String, limit: Int = 1 << 20) -> Int? {
  do {
    _ = try decode(text, limit: limit)
    return nil
  } catch {
    return error.status
  }
}

/// `Transfer-Encoding: chunked` bodies (RFC 9112 §7.1), fed whole or a byte at a time.
@Suite struct ChunkedDecoderTests {
  @Test func decodesChunksAndEndsAtTheLastChunk() throws {
    let (decoder, rest) = try decode("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    #expect(decoder.isComplete)
    #expect(String(decoding: decoder.body, as: UTF8.self) == "hello world")
    #expect(rest == "")
  }

  @Test func emptyBody() throws {
    let (decoder, rest) = try decode("0\r\n\r\n")
    #expect(decoder.isComplete)
    #expect(decoder.body.isEmpty)
    #expect(rest == "")
  }

  @Test func hexSizesInEitherCase() throws {
    let sixteen = String(repeating: "x", count: 16)
    let (decoder, _) = try decode("a\r\n0123456789\r\nA\r\nabcdefghij\r\n10\r\n\(sixteen)\r\n0\r\n\r\n")
    #expect(decoder.body.count == 36)
    #expect(String(decoding: decoder.body, as: UTF8.self) == "0123456789abcdefghij" + sixteen)
  }

  @Test func leadingZerosInSizes() throws {
    let (decoder, _) = try decode("0005\r\nhello\r\n000\r\n\r\n")
    #expect(String(decoding: decoder.body, as: UTF8.self) == "hello")
    #expect(decoder.isComplete)
  }

  @Test func extensionsAreIgnored() throws {
    let (decoder, _) = try decode("5;name=value\r\nhello\r\n0;last\r\n\r\n")
    #expect(String(decoding: decoder.body, as: UTF8.self) == "hello")
    #expect(decoder.isComplete)
  }

  @Test func trailersAreSkipped() throws {
    let (decoder, rest) = try decode("3\r\nabc\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\nNEXT")
    #expect(String(decoding: decoder.body, as: UTF8.self) == "abc")
    #expect(decoder.isComplete)
    #expect(rest == "NEXT")
  }

  @Test func bytesAfterTheBodyAreReturnedForPipelining() throws {
    let (decoder, rest) = try decode("2\r\nhi\r\n0\r\n\r\nGET /next HTTP/1.1\r\n")
    #expect(String(decoding: decoder.body, as: UTF8.self) == "hi")
    #expect(rest == "GET /next HTTP/1.1\r\n")
  }

  @Test func bodyBytesMayContainCRLF() throws {
    let (decoder, _) = try decode("4\r\n\r\n\r\n\r\n0\r\n\r\n")
    #expect(decoder.body == [13, 10, 13, 10])
  }

  /// Network reads split anywhere; every split must give the same result.
  @Test func byteAtATimeGivesTheSameResult() throws {
    let text = "5;x=y\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: t\r\n\r\nREST"
    var decoder = ChunkedDecoder(maximumBodySize: 100)
    var rest: [UInt8] = []
    for byte in Array(text.utf8) {
      if decoder.isComplete {
        rest.append(byte)
      } else {
        rest.append(contentsOf: try decoder.feed([byte][...]))
      }
    }
    #expect(decoder.isComplete)
    #expect(String(decoding: decoder.body, as: UTF8.self) == "hello world")
    #expect(String(decoding: rest, as: UTF8.self) == "REST")
  }

  @Test(arguments: [1, 2, 3, 7, 13])
  func arbitrarySplitsGiveTheSameResult(pieceSize: Int) throws {
    let bytes = Array("a\r\n0123456789\r\n3;e\r\nabc\r\n0\r\n\r\n".utf8)
    var decoder = ChunkedDecoder(maximumBodySize: 100)
    var offset = 0
    while offset < bytes.count {
      let end = min(offset + pieceSize, bytes.count)
      let rest = try decoder.feed(bytes[offset..<end])
      #expect(rest.isEmpty)
      offset = end
    }
    #expect(decoder.isComplete)
    #expect(String(decoding: decoder.body, as: UTF8.self) == "0123456789abc")
  }

  @Test func incompleteInputIsNotComplete() throws {
    for text in ["5\r\nhel", "5\r\nhello", "5\r\nhello\r\n", "5\r\nhello\r\n0\r\n", "5\r\nhello\r\n0\r\nX: y\r\n"] {
      let (decoder, rest) = try decode(text)
      #expect(!decoder.isComplete, "\(text.debugDescription) should not complete the body")
      #expect(rest == "")
    }
  }

  // MARK: Refusals

  @Test(arguments: [
    "zz\r\n",  // not hex
    "\r\n",  // empty size
    " 5\r\nhello\r\n0\r\n\r\n",  // leading space
    "5 \r\nhello\r\n0\r\n\r\n",  // trailing space
    "-5\r\n",  // sign
    "0x5\r\n",  // prefix
    ";ext\r\n",  // extension without size
    "5\r\nhelloXX0\r\n\r\n",  // data longer than the size
    "5\r\nhell\r\n0\r\n\r\n",  // data shorter than the size
    "5\r\nhello\n0\r\n\r\n",  // data not ended by CRLF
    "00000000000000005\r\nhello\r\n0\r\n\r\n",  // 17 digits
  ])
  func badFraming(text: String) {
    #expect(refusal(text) == 400)
  }

  @Test func bodyOverTheLimitIs413() {
    #expect(refusal("10\r\n", limit: 15) == 413)
    #expect(refusal("8\r\n12345678\r\n8\r\n", limit: 15) == 413)
    #expect(refusal("8\r\n12345678\r\n7\r\n1234567\r\n0\r\n\r\n", limit: 15) == nil)
  }

  /// Sizes that do not fit an Int must be refused, not trap on overflow (a remote crash).
  @Test(arguments: [
    "FFFFFFFFFFFFFFFF\r\n",
    "8000000000000000\r\n",
    "7FFFFFFFFFFFFFFF\r\n",
    "1\r\na\r\n7FFFFFFFFFFFFFFF\r\n",
  ])
  func hugeSizesAreRefused(text: String) {
    #expect(refusal(text) == 413)
  }

  /// The limits hold when the whole line arrives in one read too (a 2 KB extension, a 9 KB
  /// trailer used to reach the signature check).
  @Test func limitsHoldWithinOneRead() {
    #expect(refusal("1;" + String(repeating: "e", count: 2000) + "\r\na\r\n0\r\n\r\n") == 400)
    #expect(refusal("1\r\na\r\n0\r\nX: " + String(repeating: "t", count: 9000) + "\r\n\r\n") == 431)
    #expect(refusal("1\r\na\r\n0\r\n" + String(repeating: "X-A: 0123456789\r\n", count: 600) + "\r\n") == 431, "many small trailers add up")
    #expect(refusal("1;name=value\r\na\r\n0\r\nX-A: b\r\n\r\n") == nil)
  }

  @Test func oversizedChunkHeaderIsNoticed() throws {
    var decoder = ChunkedDecoder(maximumBodySize: 100)
    _ = try decoder.feed(Array("1;".utf8)[...])
    #expect(!decoder.pendingIsOversized)
    _ = try decoder.feed(Array(String(repeating: "e", count: 1100).utf8)[...])
    #expect(decoder.pendingIsOversized)
  }

  @Test func oversizedTrailerIsNoticed() throws {
    var decoder = ChunkedDecoder(maximumBodySize: 100)
    _ = try decoder.feed(Array("0\r\nX: ".utf8)[...])
    #expect(!decoder.pendingIsOversized)
    _ = try decoder.feed(Array(String(repeating: "t", count: 9000).utf8)[...])
    #expect(decoder.pendingIsOversized)
    #expect(!decoder.isComplete)
  }

  @Test func largeChunkDataIsNotMistakenForAnOversizedHeader() throws {
    var decoder = ChunkedDecoder(maximumBodySize: 10_000)
    _ = try decoder.feed(Array("1388\r\n".utf8)[...])
    _ = try decoder.feed(Array(repeating: UInt8(ascii: "d"), count: 3000)[...])
    #expect(!decoder.pendingIsOversized)
    _ = try decoder.feed(Array(repeating: UInt8(ascii: "d"), count: 2000)[...] + Array("\r\n0\r\n\r\n".utf8))
    #expect(decoder.isComplete)
    #expect(decoder.body.count == 5000)
  }
}
