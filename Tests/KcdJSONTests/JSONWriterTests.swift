import KcdJSON
import Testing

/// The compact, sorted encoding (stable bytes for hashes and test output) and the value API
/// other modules lean on: numeric equality, accessors, subscripts and path setters.
@Suite struct JSONWriterTests {
  // MARK: Encoding

  @Test func objectMembersAreSortedAtEveryLevel() {
    let value: JSON = ["b": 1, "a": 2, "c": ["z": 1, "y": [["d": 1, "c": 2]]]]
    #expect(value.text == #"{"a":2,"b":1,"c":{"y":[{"c":2,"d":1}],"z":1}}"#)
  }

  /// Byte order, so upper case sorts before `_` and lower case, and a prefix sorts first.
  @Test func sortOrderIsByCodePoint() {
    let value: JSON = ["a": 1, "B": 2, "_": 3, "ab": 4, "A": 5, "1": 6]
    #expect(value.text == #"{"1":6,"A":5,"B":2,"_":3,"a":1,"ab":4}"#)
  }

  @Test func sameValueAlwaysGivesSameBytes() throws {
    let first = try JSON.parse(#"{"z":1,"m":{"b":[1,2],"a":null},"a":"x"}"#)
    let second = try JSON.parse(#"{ "a" : "x", "m" : { "a" : null, "b" : [ 1, 2 ] }, "z" : 1 }"#)
    #expect(first.serialized() == second.serialized())
    #expect(first.text == #"{"a":"x","m":{"a":null,"b":[1,2]},"z":1}"#)
  }

  @Test(arguments: [
    (JSON.null, "null"),
    (.bool(true), "true"),
    (.bool(false), "false"),
    (.int(0), "0"),
    (.int(-42), "-42"),
    (.int(Int64.max), "9223372036854775807"),
    (.int(Int64.min), "-9223372036854775808"),
    (.double(1.5), "1.5"),
    (.double(-0.25), "-0.25"),
    (.double(1.0), "1"),
    (.double(-3.0), "-3"),
    (.double(-0.0), "0"),
    (.double(1e20), "1e+20"),
    (.double(1e-7), "1e-07"),
    (.double(.nan), "null"),
    (.double(.infinity), "null"),
    (.double(-.infinity), "null"),
    (.string(""), #""""#),
    (.array([]), "[]"),
    (.object([:]), "{}"),
    (.array([1, "a", nil, [true]]), #"[1,"a",null,[true]]"#),
  ])
  func scalarsAndContainers(value: JSON, expected: String) {
    #expect(value.text == expected)
    #expect(value.serialized() == Array(expected.utf8))
    #expect(value.description == expected)
  }

  @Test(arguments: [
    ("\"", #""\"""#),
    ("\\", #""\\""#),
    ("\n", #""\n""#),
    ("\r", #""\r""#),
    ("\t", #""\t""#),
    ("\u{08}", #""\u0008""#),
    ("\u{0C}", #""\u000c""#),
    ("\u{0}", #""\u0000""#),
    ("\u{01}", #""\u0001""#),
    ("\u{1F}", #""\u001f""#),
    ("/", #""/""#),
    ("\u{7F}", "\"\u{7F}\""),
    ("é😀", "\"é😀\""),
    ("a\"b\\c", #""a\"b\\c""#),
  ])
  func stringEscapes(value: String, expected: String) throws {
    #expect(JSON.string(value).text == expected)
    // Every escape the writer emits reads back as the same string.
    #expect(try JSON.parse(expected) == .string(value))
  }

  @Test func keysAreEscapedLikeValues() {
    let value: JSON = ["a\"b": "c\nd"]
    #expect(value.text == #"{"a\"b":"c\nd"}"#)
  }

  @Test func writeIntoAppends() {
    var out = Array("prefix:".utf8)
    JSON.int(7).write(into: &out)
    JSON.writeString("x", into: &out)
    #expect(String(decoding: out, as: UTF8.self) == #"prefix:7"x""#)
  }

  // MARK: Round trip

  @Test(arguments: [
    #"{"Image":{"Animated":false,"Height":600,"IDs":[116,943,234,38793],"Thumbnail":{"Height":125,"Url":"http://www.example.com/image/481989943","Width":100},"Title":"View from 15th Floor","Width":800}}"#,
    #"[{"Address":"","City":"SAN FRANCISCO","Country":"US","Latitude":37.7668,"Longitude":-122.3959,"State":"CA","Zip":"94107","precision":"zip"}]"#,
    #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web"},"name":"web"},"spec":{"replicas":3}}"#,
    #"["\u0000\u001f","\"\\/\b\f\n\r\t","é😀𝄞",-0.5,1e+300,5e-324,-9223372036854775808,9223372036854775807]"#,
    #"[[[[]]],{},{"":{"":[]}},null,true,false,0]"#,
  ])
  func roundTrip(text: String) throws {
    let parsed = try JSON.parse(text)
    let written = parsed.text
    let reparsed = try JSON.parse(written)
    #expect(reparsed == parsed)
    // The encoding is a fixed point: writing the re-parsed value gives the same bytes.
    #expect(reparsed.text == written)
  }

  @Test func canonicalTextIsReproducedExactly() throws {
    let text = #"{"a":[1,2.5,"x",null,true],"b":{"c":{}}}"#
    #expect(try JSON.parse(text).text == text)
  }

  @Test func escapedInputIsWrittenInCanonicalForm() throws {
    #expect(try JSON.parse(#""\u0041\/\u00e9\uD83D\uDE00\b""#).text == "\"A/é😀\\u0008\"")
  }

  @Test func largeIntegersSurviveRoundTripExactly() throws {
    for value in [Int64.max, Int64.min, 9_007_199_254_740_993, -9_007_199_254_740_993] {
      let reparsed = try JSON.parse(JSON.int(value).text)
      #expect(reparsed.intValue == value)
      guard case .int = reparsed else { Issue.record("\(value) came back as \(reparsed)"); continue }
    }
  }

  // MARK: Equality

  @Test func numbersCompareByValue() {
    #expect(JSON.int(1) == .double(1.0))
    #expect(JSON.double(1.0) == .int(1))
    #expect(JSON.int(0) == .double(-0.0))
    #expect(JSON.int(1) != .double(1.5))
    #expect(JSON.double(2.5) != .int(2))
    #expect(JSON.int(1) != .string("1"))
    #expect(JSON.bool(true) != .int(1))
    #expect(JSON.null != .int(0))
    #expect(JSON.array([1, 2]) == .array([1.0, 2.0]))
    #expect(JSON.object(["a": 1]) == .object(["a": 1.0]))
    #expect(JSON.array([1, 2]) != .array([2, 1]))
    #expect(JSON.object(["a": 1]) != .object(["a": 1, "b": nil]))
  }

  /// Int64 values past 2^53 are not all representable as doubles; equality must not round
  /// them to the nearest double (an RFC 6902 `test` would then pass on a different number).
  @Test func largeIntegersAreNotEqualToNearbyDoubles() {
    #expect(JSON.int(9_007_199_254_740_993) != .double(9_007_199_254_740_992))
    #expect(JSON.double(9_007_199_254_740_992) != .int(9_007_199_254_740_993))
    #expect(JSON.int(9_007_199_254_740_992) == .double(9_007_199_254_740_992))
    #expect(JSON.int(Int64.max) != .double(9_223_372_036_854_775_808))
    #expect(JSON.int(Int64.min) == .double(-9_223_372_036_854_775_808))
    #expect(JSON.int(1) != .double(.nan))
    #expect(JSON.int(Int64.max) != .double(.infinity))
  }

  // MARK: Accessors

  @Test func typedAccessors() {
    #expect(JSON.int(5).intValue == 5)
    #expect(JSON.double(5.0).intValue == 5)
    #expect(JSON.double(5.5).intValue == nil)
    #expect(JSON.double(1e19).intValue == nil)
    #expect(JSON.string("5").intValue == nil)
    #expect(JSON.int(5).doubleValue == 5.0)
    #expect(JSON.double(0.5).doubleValue == 0.5)
    #expect(JSON.bool(true).doubleValue == nil)
    #expect(JSON.string("s").stringValue == "s")
    #expect(JSON.int(1).stringValue == nil)
    #expect(JSON.bool(false).boolValue == false)
    #expect(JSON.null.boolValue == nil)
    #expect(JSON.null.isNull)
    #expect(!JSON.int(0).isNull)
    #expect(JSON.array([1]).arrayValue == [1])
    #expect(JSON.object([:]).arrayValue == nil)
    #expect(JSON.object(["k": true]).objectValue == ["k": true])
    #expect(JSON.array([]).objectValue == nil)
  }

  @Test func literalsBuildTheExpectedCases() {
    let value: JSON = ["s": "x", "i": 1, "d": 1.5, "b": true, "n": nil, "a": [1], "o": ["k": "v"], "interp": "n=\(2)"]
    #expect(value["s"] == .string("x"))
    #expect(value["d"] == .double(1.5))
    #expect(value["n"] == .null)
    #expect(value["interp"] == .string("n=2"))
    guard case .int(1) = value["i"] else { Issue.record("integer literal should be .int"); return }
    #expect(value.text == #"{"a":[1],"b":true,"d":1.5,"i":1,"interp":"n=2","n":null,"o":{"k":"v"},"s":"x"}"#)
  }

  // MARK: Subscripts

  @Test func memberLookupsChainAndYieldNullWhenMissing() throws {
    let value = try JSON.parse(#"{"metadata":{"name":"web","labels":{"app":"web"}},"items":[10,20]}"#)
    #expect(value["metadata"]["name"].stringValue == "web")
    #expect(value["metadata"]["missing"]["deeper"] == .null)
    #expect(value["items"][1] == 20)
    #expect(value["items"][2] == .null)
    #expect(value["items"][-1] == .null)
    #expect(value["metadata"][0] == .null)
    #expect(value["items"]["name"] == .null)
    #expect(value[path: ["metadata", "labels", "app"]] == "web")
    #expect(value[path: ["metadata", "nope", "app"]] == .null)
    #expect(value[path: []] == value)
  }

  @Test func memberSetterAddsReplacesAndCreatesFromNull() {
    var value: JSON = ["a": 1]
    value["b"] = "two"
    value["a"] = [true]
    #expect(value == ["a": [true], "b": "two"])
    var empty = JSON.null
    empty["k"] = 1
    #expect(empty == ["k": 1])
  }

  /// Setting a member on a scalar or array is a no-op rather than silently replacing it.
  @Test func memberSetterLeavesNonObjectsAlone() {
    var number: JSON = 5
    number["k"] = 1
    #expect(number == 5)
    var array: JSON = [1]
    array["k"] = 1
    #expect(array == [1])
  }

  @Test func pathSetterCreatesIntermediateObjects() {
    var value = JSON.null
    value[path: ["spec", "template", "metadata", "labels", "app"]] = "web"
    #expect(value.text == #"{"spec":{"template":{"metadata":{"labels":{"app":"web"}}}}}"#)
  }

  @Test func pathSetterKeepsSiblings() throws {
    var value = try JSON.parse(#"{"metadata":{"name":"web","labels":{"tier":"front"}},"kind":"Pod"}"#)
    value[path: ["metadata", "labels", "app"]] = "web"
    value[path: ["metadata", "name"]] = "api"
    #expect(value.text == #"{"kind":"Pod","metadata":{"labels":{"app":"web","tier":"front"},"name":"api"}}"#)
  }

  @Test func pathSetterWithEmptyPathReplacesTheWholeValue() {
    var value: JSON = ["a": 1]
    value[path: []] = [1, 2]
    #expect(value == [1, 2])
  }

  @Test func pathSetterDoesNotReplaceScalarsOnTheWay() {
    var value: JSON = ["a": 5]
    value[path: ["a", "b"]] = 1
    #expect(value == ["a": 5])
  }

  @Test func removeValue() {
    var value: JSON = ["a": 1, "b": 2]
    value.removeValue(forKey: "a")
    value.removeValue(forKey: "missing")
    #expect(value == ["b": 2])
    var array: JSON = [1]
    array.removeValue(forKey: "a")
    #expect(array == [1])
  }
}
