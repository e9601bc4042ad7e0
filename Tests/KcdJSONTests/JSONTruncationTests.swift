import Testing

@testable import KcdJSON

// MARK: Fixtures

/// Arrays and objects alternating, `levels` deep: `[{"k":[{"k":…leaf…}]}]`, so the skipper sees both kinds.
private func nested(_ levels: Int, leaf: String = "1") -> String {
  var opens: [String] = []
  var closes: [String] = []
  for level in 0..<levels {
    opens.append(level % 2 == 0 ? "[" : #"{"k":"#)
    closes.append(level % 2 == 0 ? "]" : "}")
  }
  return opens.joined() + leaf + closes.reversed().joined()
}

/// Follows `steps` levels of `nested` down from its outermost container.
private func descend(_ json: JSON, _ steps: Int) -> JSON {
  var node = json
  for step in 0..<steps { node = step % 2 == 0 ? node[0] : node["k"] }
  return node
}

/// A custom object; `spec.config` sits at depth 5 of a list page (page, items, item, spec, config).
private func item(_ i: Int, config: String = #"{"replicas":2}"#) -> String {
  #"{"apiVersion":"kcd.example.com/v1","kind":"Widget","metadata":{"name":"w\#(i)","namespace":"team-\#(i)","#
    + #""labels":{"app":"w\#(i)"}},"spec":{"image":"r/w:\#(i)","config":\#(config)},"status":{"ready":true}}"#
}

private func page(_ items: [String]) -> String {
  #"{"kind":"KCDList","metadata":{"resourceVersion":"42"},"items":["# + items.joined(separator: ",") + "]}"
}

private func lenient(_ text: String, limit: Int? = JSON.maximumDepth, attribution: Int = 2)
  -> Result<JSONParseResult, JSONParseError>
{
  lenient(Array(text.utf8), limit: limit, attribution: attribution)
}

private func lenient(_ bytes: [UInt8], limit: Int? = JSON.maximumDepth, attribution: Int = 2)
  -> Result<JSONParseResult, JSONParseError>
{
  Result { () throws(JSONParseError) in
    try JSON.parse(bytes, options: JSONParseOptions(truncateBeyondDepth: limit, attributionDepth: attribution))
  }
}

private func strict(_ bytes: [UInt8]) -> Result<JSON, JSONParseError> {
  Result { () throws(JSONParseError) in try JSON.parse(bytes) }
}

/// Equality that also tells `1` from `1.0`, since "behaves exactly like `JSON.parse`" includes the case.
private func identical(_ a: JSON, _ b: JSON) -> Bool {
  switch (a, b) {
  case (.null, .null): return true
  case let (.bool(x), .bool(y)): return x == y
  case let (.int(x), .int(y)): return x == y
  case let (.double(x), .double(y)): return x.bitPattern == y.bitPattern
  case let (.string(x), .string(y)): return x == y
  case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy(identical)
  case let (.object(x), .object(y)):
    return x.count == y.count && x.allSatisfy { key, value in y[key].map { identical(value, $0) } ?? false }
  default: return false
  }
}

/// Every input `JSONParserTests` feeds the parser, valid and invalid.
private let parserTestInputs: [[UInt8]] = {
  let texts: [String] = [
    #"{"Image":{"Width":800,"Height":600,"Title":"View from 15th Floor","Thumbnail":"#
      + #"{"Url":"http://www.example.com/image/481989943","Height":125,"Width":100},"#
      + #""Animated":false,"IDs":[116,943,234,38793]}}"#,
    #"[{"precision":"zip","Latitude":37.7668,"Longitude":-122.3959,"Address":"","City":"SAN FRANCISCO","#
      + #""State":"CA","Zip":"94107","Country":"US"},{"precision":"zip","Latitude":37.371991,"#
      + #""Longitude":-122.026020,"Address":"","City":"SUNNYVALE","State":"CA","Zip":"94085","Country":"US"}]"#,
    "\"Hello world!\"", "42", "true", "false", "null", "[]", "{}", " \t\r\n[ 1 , { } ] \n",
    #""\"""#, #""\\""#, #""\/""#, #""\b""#, #""\f""#, #""\n""#, #""\r""#, #""\t""#, #""\u0041""#, #""\u00e9""#,
    #""\u00E9""#, #""\u20AC""#, #""\uFFFF""#, #""\u0000""#, #""\uD83D\uDE00""#, #""\ud834\udd1e""#,
    #""\uDBFF\uDFFF""#, #""a\"b\\c\/d\n""#, #""prefix é \u00e9 suffix""#, "\"héllo 😀 \u{7F}\"",
    #""\uD800""#, #""\uDBFF""#, #""\uDC00""#, #""\uDFFF\uD800""#, #""\uD800\u0041""#, #""\uD800\uD800""#,
    #""\uD800x""#, #""\uD800\n""#, #""\u12""#, #""\u12G4""#, #""\x41""#, #""\'""#, #""\U0041""#, #""abc"#,
    #""a\n"#, #""\"#,
    "0", "-0", "7", "-42", "9223372036854775807", "-9223372036854775808", "0.5", "-0.5", "1.0", "1e2", "1E2",
    "1e+2", "1e-2", "-1.5E+3", "0e0", "123.456e-7", "1.7976931348623157e308", "9223372036854775808",
    "-9223372036854775809", "18446744073709551616", "1", "1e0",
    "01", "00", "-01", "1.", "1.e5", "-", "-a", "--1", "1e", "1e+", "1E-", ".5", "+1", "0x10", "Infinity", "NaN",
    "1e400", "-1e400", "[01]",
    "", "   ", "{} x", "[1] [2]", "truex", "nul", "nulL", "True", "[1,]", "[1 2]", "[", "[1", "{", #"{"a"}"#,
    #"{"a" 1}"#, #"{"a":1,}"#, #"{"a":1 "b":2}"#, #"{"a":1"#, "{1:2}", "{'a':1}", "/* c */ 1", #"{"a":1,"a":2}"#,
    String(repeating: "[", count: 256) + "1" + String(repeating: "]", count: 256),
    String(repeating: "[", count: 257) + String(repeating: "]", count: 257),
    String(repeating: #"{"a":"#, count: 255) + "{}" + String(repeating: "}", count: 255),
    String(repeating: #"{"a":"#, count: 256) + "{}" + String(repeating: "}", count: 256),
    String(repeating: #"[{"a":"#, count: 128) + "[]" + String(repeating: "}]", count: 128),
    "[" + Array(repeating: String(repeating: "[", count: 255) + "[]" + String(repeating: "]", count: 255), count: 3)
      .joined(separator: ",") + "]",
    "[" + String(repeating: "[", count: 254) + "[],[]" + String(repeating: "]", count: 254) + "]",
    String(repeating: "[", count: 100_000),
  ]
  var inputs = texts.map { Array($0.utf8) }
  for byte: UInt8 in [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F] {
    inputs += [[0x22, byte, 0x22], [0x22, 0x5C, 0x6E, byte, 0x22]]
  }
  let badUTF8: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xC3], [0x80],
    [0xF4, 0x90, 0x80, 0x80]]
  for bad in badUTF8 {
    inputs += [[0x22] + bad + [0x22], [0x22, 0x5C, 0x74] + bad + [0x22], [0x7B, 0x22] + bad + [0x22, 0x3A, 0x31, 0x7D]]
  }
  inputs += [[0xEF, 0xBB, 0xBF, 0x31], [0x31, 0xFF]]
  return inputs
}()

@Suite struct JSONTruncationTests {
  // MARK: List pages and watch events

  /// The hostile item of a page loses only its deep value; kcd can still name it and skip it.
  @Test(arguments: [5, 6, 64, JSON.maximumDepth])
  func deepItemOfAListPageIsCutAndNamed(limit: Int) throws {
    let items = (0..<5).map { $0 == 3 ? item($0, config: nested(255)) : item($0) }
    let result = try lenient(page(items), limit: limit).get()
    #expect(result.truncated == [[.key("items"), .index(3)]])
    let parsed = try #require(result.value["items"].arrayValue)
    #expect(parsed.count == 5)
    for i in [0, 1, 2, 4] { #expect(identical(parsed[i], try JSON.parse(items[i])), "item \(i)") }
    #expect(parsed[3]["metadata"]["name"] == "w3")
    #expect(parsed[3]["metadata"]["namespace"] == "team-3")
    #expect(parsed[3]["spec"]["image"] == "r/w:3")
    // config is the container at depth 5; the one at depth limit + 1 is the first one dropped.
    let config = parsed[3]["spec"]["config"]
    let parent: JSON = (limit - 5) % 2 == 0 ? [nil] : ["k": nil]
    #expect(descend(config, limit - 5) == parent)
    #expect(descend(config, limit - 4) == .null)
  }

  @Test func eachCutItemIsReportedOnceInDocumentOrder() throws {
    let deep = nested(300)
    let items = [item(0), item(1, config: deep), item(2), item(3), item(4, config: "[\(deep),\(deep)]")]
    let result = try lenient(page(items)).get()
    #expect(result.truncated == [[.key("items"), .index(1)], [.key("items"), .index(4)]])
    #expect(result.value["items"].arrayValue?.count == 5)
  }

  /// Paths are cut to `attributionDepth` steps, or shorter when the cut itself is shallower.
  @Test(arguments: [
    (0, 256, [JSONPathComponent]()),
    (1, 256, [.key("items")]),
    (2, 256, [.key("items"), .index(1)]),
    (3, 256, [.key("items"), .index(1), .key("spec")]),
    (5, 5, [.key("items"), .index(1), .key("spec"), .key("config"), .index(0)]),
    (9, 5, [.key("items"), .index(1), .key("spec"), .key("config"), .index(0)]),
  ])
  func attributionDepthCutsThePath(attribution: Int, limit: Int, expected: [JSONPathComponent]) throws {
    let text = page([item(0), item(1, config: nested(300))])
    let result = try lenient(text, limit: limit, attribution: attribution).get()
    #expect(result.truncated == [expected])
  }

  /// A WATCH event names its payload as `object`: attribution 1 says exactly that; 2 adds the member below it.
  @Test(arguments: [
    (1, [JSONPathComponent.key("object")]),
    (2, [.key("object"), .key("spec")]),
  ])
  func deepWatchEventObjectIsReported(attribution: Int, expected: [JSONPathComponent]) throws {
    let event = #"{"type":"MODIFIED","object":"# + item(7, config: nested(255)) + "}"
    let result = try lenient(event, attribution: attribution).get()
    #expect(result.truncated == [expected])
    #expect(result.value["type"] == "MODIFIED")
    #expect(result.value["object"]["metadata"]["name"] == "w7")
    let image: JSON = attribution == 2 ? "r/w:7" : nil
    #expect(result.value.value(at: expected)["image"] == image)
  }

  /// Far past any stack: the skipper loops instead of recursing.
  @Test(arguments: [
    String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
    nested(100_000, leaf: #""leaf""#),
  ])
  func hundredThousandLevelsAreSkipped(deep: String) throws {
    let result = try lenient(page([item(0), item(1, config: deep), item(2)])).get()
    #expect(result.truncated == [[.key("items"), .index(1)]])
    #expect(result.value["items"][2]["metadata"]["name"] == "w2")
  }

  // MARK: Depth convention

  /// The top-level container is depth 1: `limit` levels are kept, level `limit + 1` becomes `.null`.
  @Test(arguments: [0, 1, 2, 3, 10, 255, 256])
  func depthLimitBoundary(limit: Int) throws {
    for levels in [limit, limit + 1] {
      let text = nested(levels, leaf: #""x""#)
      let result = try lenient(text, limit: limit).get()
      if levels == limit {
        #expect(identical(result.value, try JSON.parse(text)))
        #expect(result.truncated.isEmpty)
      } else {
        #expect(descend(result.value, limit) == .null)
        if limit > 0 {
          let parent: JSON = (limit - 1) % 2 == 0 ? [nil] : ["k": nil]
          #expect(descend(result.value, limit - 1) == parent)
        }
        let steps = (0..<min(limit, 2)).map { $0 % 2 == 0 ? JSONPathComponent.index(0) : .key("k") }
        #expect(result.truncated == [steps])
      }
    }
  }

  /// Scalars add no depth, and limits outside 0...maximumDepth are clamped.
  @Test func scalarsAndClampedLimits() throws {
    #expect(try lenient("[1]", limit: 1).get() == JSONParseResult(value: [1], truncated: []))
    #expect(try lenient("7", limit: 0).get() == JSONParseResult(value: 7, truncated: []))
    #expect(try lenient("{}", limit: -3).get() == JSONParseResult(value: nil, truncated: [[]]))
    let deep = try lenient(nested(300), limit: 1_000).get()
    #expect(descend(deep.value, JSON.maximumDepth) == .null)
    #expect(descend(deep.value, JSON.maximumDepth - 1) != .null)
  }

  // MARK: Skipping stays a validating parse

  /// Malformed input inside a dropped value still fails, with the message and offset of the strict parser.
  @Test(arguments: [
    (#"{"x":[[["#, "unexpected end of input", 8),
    (#"{"x":{"a":[}]}"#, "unexpected character", 11),
    (#"{"x":[["a"#, "unterminated string", 9),
    (#"{"x":[["a\"]]}"#, "unterminated string", 14),
    (#"{"x":[1]]}"#, "expected ',' or '}'", 8),
    (#"{"x":[[1,]]}"#, "unexpected character", 9),
    (#"{"x":[{"a":]}]}"#, "unexpected character", 11),
    (#"{"x":{"a":1]}"#, "expected ',' or '}'", 11),
    (#"{"x":[[1}]}"#, "expected ',' or ']'", 8),
    (#"{"x":[{"a" 1}]}"#, "expected ':'", 11),
    (#"{"x":[{1:2}]}"#, "expected a member name", 7),
    (#"{"x":[[tru]]}"#, "invalid literal", 7),
    (#"{"x":[[-]]}"#, "invalid number", 8),
    (#"{"x":[["\q"]]}"#, "invalid escape", 10),
    (#"{"x":[["\uD800"]]}"#, "unpaired surrogate", 14),
    (#"{"x":[[@]]}"#, "unexpected character", 7),
  ])
  func malformedInputInsideADroppedValueFails(text: String, message: String, offset: Int) {
    let expected = JSONParseError(message: message, offset: offset)
    #expect(lenient(text, limit: 1) == .failure(expected))
    #expect(strict(Array(text.utf8)) == .failure(expected))
  }

  @Test(arguments: [UInt8(0x00), 0x01, 0x0A, 0x1F])
  func rawControlByteInADroppedStringFails(byte: UInt8) {
    let bytes = Array(#"{"x":[["a"#.utf8) + [byte] + Array(#"b"]]}"#.utf8)
    let expected = JSONParseError(message: "control character in string", offset: 9)
    #expect(lenient(bytes, limit: 1) == .failure(expected))
    #expect(strict(bytes) == .failure(expected))
  }

  @Test func invalidUTF8InADroppedStringFails() {
    let bytes = Array(#"{"x":[["a"#.utf8) + [0xC3, 0x28] + Array(#"\n"]]}"#.utf8)
    let expected = JSONParseError(message: "invalid UTF-8 in string", offset: 14)  // after the closing quote
    #expect(lenient(bytes, limit: 1) == .failure(expected))
    #expect(strict(bytes) == .failure(expected))
  }

  /// The one check the skipper leaves out: a dropped number is never converted, so its range is not checked.
  @Test func droppedNumbersAreNotRangeChecked() throws {
    #expect(strict(Array("[[1e400]]".utf8)) == .failure(JSONParseError(message: "number out of range", offset: 7)))
    #expect(try lenient("[[1e400]]", limit: 1).get() == JSONParseResult(value: [nil], truncated: [[.index(0)]]))
  }

  /// Brackets, quotes and backslashes inside strings are text, not structure.
  @Test(arguments: [
    #"["[", "{", "]]]", "}}}"]"#,
    #"["\"", "\"]", "\\", "\\\"", "\\\\\"[", "]\\"]"#,
    #"[{"]": "[", "\"}": ["\\]"], "\u005d": "\u0022"}]"#,
    #"[["a\"]\"b", "\\\\"], {"k\\\"}":"\\"}]"#,
    #"[" \/ \b \f \n \r \t \uD83D\uDE00 é 😀 ]"]"#,
  ])
  func stringsInDroppedValuesDoNotConfuseTheScanner(fragment: String) throws {
    let text = #"{"deep":"# + fragment + #","after":"ok","n":[1]}"#
    #expect(try JSON.parse(text)["after"] == "ok")  // the fragment is valid JSON
    let result = try lenient(text, limit: 1).get()
    #expect(result.value == ["deep": nil, "after": "ok", "n": nil])
    #expect(result.truncated == [[.key("deep")], [.key("n")]])
  }

  // MARK: Same behaviour as JSON.parse

  /// Without a limit the lenient entry point is `JSON.parse`: same values (same number cases), same errors.
  @Test func noLimitBehavesLikeParse() {
    for input in parserTestInputs {
      switch (strict(input), lenient(input, limit: nil)) {
      case let (.success(a), .success(b)):
        #expect(identical(a, b.value) && b.truncated.isEmpty, "\(String(decoding: input.prefix(80), as: UTF8.self))")
      case let (.failure(a), .failure(b)):
        #expect(a == b)
      case let (a, b):
        Issue.record("\(String(decoding: input.prefix(80), as: UTF8.self)): \(a) vs \(b)")
      }
    }
  }

  /// At `maximumDepth` only "nesting too deep" changes; with limit 0 every container is skipped, and
  /// the skipper still raises the parser's errors (it does not range-check numbers).
  @Test(arguments: [0, 1, JSON.maximumDepth])
  func truncatingParseFailsWhereParseFails(limit: Int) {
    for input in parserTestInputs {
      let label = String(decoding: input.prefix(80), as: UTF8.self)
      switch (strict(input), lenient(input, limit: limit)) {
      case let (.success(a), .success(b)):
        if b.truncated.isEmpty { #expect(identical(a, b.value), "\(label)") }
        #expect(limit < JSON.maximumDepth || b.truncated.isEmpty, "\(label)")
      case let (.failure(a), .failure(b)):
        // Past the strict limit the skipper reads on and may find a later error instead.
        #expect(a == b || a.message == "nesting too deep", "\(label)")
      case let (.failure(a), .success(b)):
        #expect(a.message == "nesting too deep", "\(label)")
        #expect(!b.truncated.isEmpty, "\(label)")
      case let (.success(a), .failure(b)):
        Issue.record("\(label): \(a) vs \(b)")
      }
    }
  }
}
