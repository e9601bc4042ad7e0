import KcdHTTP
import Testing

/// RFC 4648 base64: §10 vectors both ways, URL-safe and unpadded input, and refusals.
@Suite struct Base64Tests {
  /// RFC 4648 §10.
  @Test(arguments: [
    ("", ""),
    ("f", "Zg=="),
    ("fo", "Zm8="),
    ("foo", "Zm9v"),
    ("foob", "Zm9vYg=="),
    ("fooba", "Zm9vYmE="),
    ("foobar", "Zm9vYmFy"),
  ])
  func rfcVectors(plain: String, encoded: String) {
    #expect(Base64.encode(Array(plain.utf8)) == encoded)
    #expect(Base64.decode(encoded) == Array(plain.utf8))
  }

  @Test func everyByteValueRoundTrips() {
    let bytes = (0...255).map { UInt8($0) }
    for length in [0, 1, 2, 3, 4, 5, 254, 255, 256] {
      let slice = Array(bytes.prefix(length))
      #expect(Base64.decode(Base64.encode(slice)) == slice)
    }
  }

  @Test func encodingUsesTheStandardAlphabet() {
    #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
    #expect(Base64.encode([0xFB, 0xEF, 0xBE]) == "++++")
    #expect(Base64.encode([0xFF, 0xFF, 0xFF]) == "////")
    #expect(Base64.encode(ArraySlice([0x00, 0x00, 0x00])) == "AAAA")
  }

  /// Kubernetes secrets and JWTs use either alphabet; both decode to the same bytes.
  @Test(arguments: [
    ("-_8", [UInt8(0xFB), 0xFF]),
    ("+/8=", [0xFB, 0xFF]),
    ("-_8=", [0xFB, 0xFF]),
    ("____", [0xFF, 0xFF, 0xFF]),
    ("----", [0xFB, 0xEF, 0xBE]),
  ])
  func urlSafeInput(text: String, expected: [UInt8]) {
    #expect(Base64.decode(text) == expected)
  }

  @Test(arguments: [
    ("Zg", "f"),
    ("Zm8", "fo"),
    ("Zm9vYg", "foob"),
    ("Zm9vYmE", "fooba"),
  ])
  func unpaddedInput(text: String, plain: String) {
    #expect(Base64.decode(text) == Array(plain.utf8))
  }

  @Test func lineBreaksAreIgnored() {
    #expect(Base64.decode("Zm9v\nYmFy\r\n") == Array("foobar".utf8))
  }

  @Test(arguments: [
    "Z",  // six bits cannot make a byte
    "Zm9vY",
    "Zm9v====",  // too much padding
    "Zg===",
    "Zm=9v",  // data after padding
    "Zg==Zg==",
    "Zm9v!",
    "Zm 9v",  // spaces are not line breaks
    "Zm9v\t",
    "Zm.v",
    "Zm9vé",
    "Zm9v\u{0}",
  ])
  func invalidInputIsRefused(text: String) {
    #expect(Base64.decode(text) == nil)
  }
}
