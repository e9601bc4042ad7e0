import Testing

@testable import KcdJSON

/// Parses `text`, returning the error instead of throwing, so refusal tables stay one line each.
private func parseError(_ bytes: [UInt8]) -> JSONParseError? {
  do {
    _ = try JSON.parse(bytes)
    return nil
  } catch {
    return error
  }
}

private func parseError(_ text: String) -> JSONParseError? { parseError(Array(text.utf8)) }

/// RFC 8259 grammar: the documents it shows, every value kind, and every escape.
@Suite struct JSONParserTests {
  // MARK: RFC 8259 §13 examples

  @Test func rfcObjectExample() throws {
    let text = """
      {
        "Image": {
            "Width":  800,
            "Height": 600,
            "Title":  "View from 15th Floor",
            "Thumbnail": {
                "Url":    "http://www.example.com/image/481989943",
                "Height": 125,
                "Width":  100
            },
            "Animated" : false,
            "IDs": [116, 943, 234, 38793]
          }
      }
      """
    let json = try JSON.parse(text)
    let image = json["Image"]
    #expect(image["Width"] == .int(800))
    #expect(image["Height"] == .int(600))
    #expect(image["Title"] == .string("View from 15th Floor"))
    #expect(image["Thumbnail"]["Url"] == .string("http://www.example.com/image/481989943"))
    #expect(image["Thumbnail"]["Height"].intValue == 125)
    #expect(image["Thumbnail"]["Width"].intValue == 100)
    #expect(image["Animated"] == .bool(false))
    #expect(image["IDs"] == [116, 943, 234, 38793])
    #expect(json.objectValue?.count == 1)
    #expect(image.objectValue?.count == 6)
  }

  @Test func rfcArrayExample() throws {
    let text = """
      [
        {
           "precision": "zip",
           "Latitude":  37.7668,
           "Longitude": -122.3959,
           "Address":   "",
           "City":      "SAN FRANCISCO",
           "State":     "CA",
           "Zip":       "94107",
           "Country":   "US"
        },
        {
           "precision": "zip",
           "Latitude":  37.371991,
           "Longitude": -122.026020,
           "Address":   "",
           "City":      "SUNNYVALE",
           "State":     "CA",
           "Zip":       "94085",
           "Country":   "US"
        }
      ]
      """
    let json = try JSON.parse(text)
    #expect(json.arrayValue?.count == 2)
    #expect(json[0]["Latitude"] == .double(37.7668))
    #expect(json[0]["Longitude"] == .double(-122.3959))
    #expect(json[0]["Address"] == .string(""))
    #expect(json[1]["City"] == .string("SUNNYVALE"))
    #expect(json[1]["Longitude"].doubleValue == -122.026020)
    #expect(json[1]["Zip"] == .string("94085"))
    #expect(json[2] == .null)
  }

  /// RFC 8259 §2: any value may be the whole text, not only objects and arrays.
  @Test(arguments: [
    ("\"Hello world!\"", JSON.string("Hello world!")),
    ("42", .int(42)),
    ("true", .bool(true)),
    ("false", .bool(false)),
    ("null", .null),
    ("[]", .array([])),
    ("{}", .object([:])),
    (" \t\r\n[ 1 , { } ] \n", .array([1, .object([:])])),
  ])
  func scalarAndEmptyTexts(text: String, expected: JSON) throws {
    #expect(try JSON.parse(text) == expected)
  }

  // MARK: Strings

  @Test(arguments: [
    (#""\"""#, "\""),
    (#""\\""#, "\\"),
    (#""\/""#, "/"),
    (#""\b""#, "\u{08}"),
    (#""\f""#, "\u{0C}"),
    (#""\n""#, "\n"),
    (#""\r""#, "\r"),
    (#""\t""#, "\t"),
    (#""\u0041""#, "A"),
    (#""\u00e9""#, "é"),
    (#""\u00E9""#, "é"),
    (#""\u20AC""#, "€"),
    (#""\uFFFF""#, "\u{FFFF}"),
    (#""\u0000""#, "\u{0}"),
    (#""\uD83D\uDE00""#, "😀"),
    (#""\ud834\udd1e""#, "𝄞"),
    (#""\uDBFF\uDFFF""#, "\u{10FFFF}"),
    (#""a\"b\\c\/d\n""#, "a\"b\\c/d\n"),
    (#""prefix é \u00e9 suffix""#, "prefix é é suffix"),
  ])
  func escapes(text: String, expected: String) throws {
    #expect(try JSON.parse(text) == .string(expected))
  }

  @Test func rawUTF8IsKept() throws {
    #expect(try JSON.parse("\"héllo 😀 \u{7F}\"") == .string("héllo 😀 \u{7F}"))
  }

  @Test(arguments: [
    (#""\uD800""#, "unpaired surrogate"),
    (#""\uDBFF""#, "unpaired surrogate"),
    (#""\uDC00""#, "unpaired surrogate"),
    (#""\uDFFF\uD800""#, "unpaired surrogate"),
    (#""\uD800\u0041""#, "unpaired surrogate"),
    (#""\uD800\uD800""#, "unpaired surrogate"),
    (#""\uD800x""#, "unpaired surrogate"),
    (#""\uD800\n""#, "unpaired surrogate"),
    (#""\u12""#, "truncated \\u escape"),
    (#""\u12G4""#, "invalid \\u escape"),
    (#""\x41""#, "invalid escape"),
    (#""\'""#, "invalid escape"),
    (#""\U0041""#, "invalid escape"),
    (#""abc"#, "unterminated string"),
    (#""a\n"#, "unterminated string"),
    (#""\"#, "unexpected end of input"),
  ])
  func badEscapesAndUnterminatedStrings(text: String, message: String) {
    #expect(parseError(text)?.message == message)
  }

  /// RFC 8259 §7: U+0000 through U+001F must be escaped; that includes raw tabs and newlines.
  @Test(arguments: [UInt8(0x00), 0x01, 0x09, 0x0A, 0x0D, 0x1F])
  func rawControlCharactersAreRefused(byte: UInt8) {
    #expect(parseError([0x22, byte, 0x22])?.message == "control character in string")
    // Also after an escape, where the slow path runs.
    #expect(parseError([0x22, 0x5C, 0x6E, byte, 0x22])?.message == "control character in string")
  }

  @Test(arguments: [
    [UInt8(0xFF)],
    [0xC0, 0x80],  // overlong NUL
    [0xE0, 0x80, 0x80],  // overlong
    [0xED, 0xA0, 0x80],  // a surrogate encoded as UTF-8
    [0xC3],  // truncated sequence
    [0x80],  // lone continuation byte
    [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
  ])
  func invalidUTF8IsRefused(bad: [UInt8]) {
    #expect(parseError([0x22] + bad + [0x22])?.message == "invalid UTF-8 in string")
    #expect(parseError([0x22, 0x5C, 0x74] + bad + [0x22])?.message == "invalid UTF-8 in string")
    #expect(parseError([0x7B, 0x22] + bad + [0x22, 0x3A, 0x31, 0x7D])?.message == "invalid UTF-8 in string")
  }

  @Test func bytesOutsideStringsMustBeJSON() {
    #expect(parseError([0xEF, 0xBB, 0xBF, 0x31])?.message == "unexpected character")
    #expect(parseError([0x31, 0xFF])?.message == "unexpected trailing data")
  }

  // MARK: Numbers

  @Test(arguments: [
    ("0", JSON.int(0)),
    ("-0", .int(0)),
    ("7", .int(7)),
    ("-42", .int(-42)),
    ("9223372036854775807", .int(Int64.max)),
    ("-9223372036854775808", .int(Int64.min)),
    ("0.5", .double(0.5)),
    ("-0.5", .double(-0.5)),
    ("1.0", .double(1.0)),
    ("1e2", .double(100)),
    ("1E2", .double(100)),
    ("1e+2", .double(100)),
    ("1e-2", .double(0.01)),
    ("-1.5E+3", .double(-1500)),
    ("0e0", .double(0)),
    ("123.456e-7", .double(123.456e-7)),
    ("1.7976931348623157e308", .double(Double.greatestFiniteMagnitude)),
  ])
  func numbers(text: String, expected: JSON) throws {
    let parsed = try JSON.parse(text)
    #expect(parsed == expected)
    // The case matters too, not only the numeric value.
    switch (parsed, expected) {
    case (.int, .int), (.double, .double): break
    default: Issue.record("\(text) parsed as \(parsed), expected the case of \(expected)")
    }
  }

  /// Integers that do not fit an Int64 still parse, as doubles, instead of failing.
  @Test func integersBeyondInt64BecomeDoubles() throws {
    #expect(try JSON.parse("9223372036854775808") == .double(9223372036854775808))
    #expect(try JSON.parse("-9223372036854775809") == .double(-9223372036854775809))
    if case .double(let d) = try JSON.parse("18446744073709551616") {
      #expect(d == 18446744073709551616)
    } else {
      Issue.record("expected a double")
    }
  }

  @Test func integerAndDoubleCasesAreDistinguished() throws {
    #expect(try JSON.parse("1").intValue == 1)
    guard case .int = try JSON.parse("1") else { Issue.record("1 should be an int"); return }
    guard case .double = try JSON.parse("1.0") else { Issue.record("1.0 should be a double"); return }
    guard case .double = try JSON.parse("1e0") else { Issue.record("1e0 should be a double"); return }
  }

  @Test(arguments: [
    ("01", "unexpected trailing data"),
    ("00", "unexpected trailing data"),
    ("-01", "unexpected trailing data"),
    ("1.", "invalid number"),
    ("1.e5", "invalid number"),
    ("-", "invalid number"),
    ("-a", "invalid number"),
    ("--1", "invalid number"),
    ("1e", "invalid number"),
    ("1e+", "invalid number"),
    ("1E-", "invalid number"),
    (".5", "unexpected character"),
    ("+1", "unexpected character"),
    ("0x10", "unexpected trailing data"),
    ("Infinity", "unexpected character"),
    ("NaN", "unexpected character"),
    ("1e400", "number out of range"),
    ("-1e400", "number out of range"),
    ("[01]", "expected ',' or ']'"),
  ])
  func badNumbers(text: String, message: String) {
    #expect(parseError(text)?.message == message)
  }

  // MARK: Structure errors

  @Test(arguments: [
    ("", "unexpected end of input", 0),
    ("   ", "unexpected end of input", 3),
    ("{} x", "unexpected trailing data", 3),
    ("[1] [2]", "unexpected trailing data", 4),
    ("truex", "unexpected trailing data", 4),
    ("nul", "unexpected end of input", 0),
    ("nulL", "invalid literal", 0),
    ("True", "unexpected character", 0),
    ("[1,]", "unexpected character", 3),
    ("[1 2]", "expected ',' or ']'", 3),
    ("[", "unexpected end of input", 1),
    ("[1", "unexpected end of input", 2),
    ("{", "expected a member name", 1),
    (#"{"a"}"#, "expected ':'", 4),
    (#"{"a" 1}"#, "expected ':'", 5),
    (#"{"a":1,}"#, "expected a member name", 7),
    (#"{"a":1 "b":2}"#, "expected ',' or '}'", 7),
    (#"{"a":1"#, "unexpected end of input", 6),
    ("{1:2}", "expected a member name", 1),
    ("{'a':1}", "expected a member name", 1),
    ("/* c */ 1", "unexpected character", 0),
  ])
  func structureErrors(text: String, message: String, offset: Int) {
    let error = parseError(text)
    #expect(error == JSONParseError(message: message, offset: offset))
  }

  @Test func errorDescriptionNamesTheOffset() {
    #expect(parseError("[1,]")?.description == "invalid JSON at byte 3: unexpected character")
  }

  @Test func duplicateMembersKeepTheLastValue() throws {
    #expect(try JSON.parse(#"{"a":1,"a":2}"#) == ["a": 2])
  }

  @Test func parsesFromAnyByteCollection() throws {
    let bytes: ArraySlice<UInt8> = Array(#"xx{"k":[true]}"#.utf8)[2...]
    #expect(try JSON.parse(bytes) == ["k": [true]])
  }

  // MARK: Depth limit

  @Test func depthLimitIsTwoHundredFiftySix() {
    #expect(JSON.maximumDepth == 256)
  }

  @Test func arraysNestedToTheLimitAreAccepted() throws {
    let text = String(repeating: "[", count: 256) + "1" + String(repeating: "]", count: 256)
    var node = try JSON.parse(text)
    var depth = 0
    while case .array(let elements) = node {
      depth += 1
      node = elements[0]
    }
    #expect(depth == 256)
    #expect(node == 1)
  }

  @Test func arraysNestedPastTheLimitAreRefused() {
    let text = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
    #expect(parseError(text) == JSONParseError(message: "nesting too deep", offset: 256))
  }

  @Test func objectsAndMixedNestingCountTowardTheLimit() throws {
    let objects256 = String(repeating: #"{"a":"#, count: 255) + "{}" + String(repeating: "}", count: 255)
    #expect(try JSON.parse(objects256)[path: Array(repeating: "a", count: 255)] == [:])
    let objects257 = String(repeating: #"{"a":"#, count: 256) + "{}" + String(repeating: "}", count: 256)
    #expect(parseError(objects257)?.message == "nesting too deep")
    let mixed257 = String(repeating: #"[{"a":"#, count: 128) + "[]" + String(repeating: "}]", count: 128)
    #expect(parseError(mixed257)?.message == "nesting too deep")
  }

  /// Depth is released when a container closes, so many siblings at depth 256 are fine.
  @Test func depthIsPerPathNotCumulative() throws {
    let deep = String(repeating: "[", count: 255) + "[]" + String(repeating: "]", count: 255)
    let text = "[" + Array(repeating: deep, count: 3).joined(separator: ",") + "]"
    #expect(parseError(text) == JSONParseError(message: "nesting too deep", offset: 256))
    let siblings = "[" + String(repeating: "[", count: 254) + "[],[]" + String(repeating: "]", count: 254) + "]"
    #expect(parseError(siblings) == nil)
  }

  /// Hostile input far beyond the limit fails cleanly instead of overflowing the stack.
  @Test func veryDeepInputFailsCleanly() {
    let text = String(repeating: "[", count: 100_000)
    #expect(parseError(text)?.message == "nesting too deep")
  }
}
