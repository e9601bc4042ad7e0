/// How a lenient parse treats nesting, so one hostile object cannot make a whole LIST page or
/// WATCH stream unreadable.
///
/// Depth counts containers: the top-level array or object is depth 1, a container inside it
/// depth 2, and scalars add none (the convention of `JSON.maximumDepth`). A container at depth
/// `truncateBeyondDepth + 1` becomes `.null`; everything at or above the limit is kept.
public struct JSONParseOptions: Sendable, Equatable {
  /// `nil` refuses deep input exactly as `JSON.parse` does. Values above `JSON.maximumDepth` act
  /// as `JSON.maximumDepth`, since the recursive parser must not go deeper; below 0 acts as 0.
  public var truncateBeyondDepth: Int?
  /// How many leading path components a truncation reports: 2 names the item of a LIST page
  /// (`[.key("items"), .index(5)]`), 1 the `object` of a WATCH event.
  public var attributionDepth: Int

  public init(truncateBeyondDepth: Int? = nil, attributionDepth: Int = 2) {
    self.truncateBeyondDepth = truncateBeyondDepth
    self.attributionDepth = attributionDepth
  }
}

/// A leniently parsed document and where it was cut.
public struct JSONParseResult: Sendable, Equatable {
  public var value: JSON
  /// Paths, cut to `attributionDepth` components, of every dropped value; each path once, in
  /// document order, so a caller skips exactly the items listed.
  public var truncated: [[JSONPathComponent]]
}

extension JSON {
  /// Parses like `parse(_:)`, but with `options.truncateBeyondDepth` set, containers nested past
  /// it become `.null` and are reported instead of failing the document. Input that is not JSON
  /// still throws, also inside a dropped value (see `JSONParser.skipContainer`).
  public static func parse(_ bytes: some Collection<UInt8>, options: JSONParseOptions)
    throws(JSONParseError) -> JSONParseResult
  {
    let array = Array(bytes)
    return try array.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONParseResult in
      var parser: JSONParser
      if let limit = options.truncateBeyondDepth {
        parser = JSONParser(buffer, depthLimit: min(max(limit, 0), JSON.maximumDepth), truncates: true,
          attributionDepth: max(options.attributionDepth, 0))
      } else {
        parser = JSONParser(buffer)
      }
      let value = try parser.document()
      return JSONParseResult(value: value, truncated: parser.truncation.paths)
    }
  }

  public static func parse(_ text: String, options: JSONParseOptions) throws(JSONParseError) -> JSONParseResult {
    try parse(Array(text.utf8), options: options)
  }
}

/// The path to the value being parsed (only its first `attributionDepth` steps) and the cuts so far.
struct JSONTruncationLog {
  var path: [JSONPathComponent] = []
  var paths: [[JSONPathComponent]] = []
  var seen: Set<[JSONPathComponent]> = []

  mutating func recordCut() {
    if seen.insert(path).inserted { paths.append(path) }
  }
}

extension JSONParser {
  /// Parses a member or element whose path a truncation below it may need to report.
  mutating func parseValue(at component: JSONPathComponent) throws(JSONParseError) -> JSON {
    truncation.path.append(component)
    defer { truncation.path.removeLast() }
    return try parseValue()
  }

  /// Called at the `{` or `[` of a container one level past `depthLimit`.
  mutating func tooDeep() throws(JSONParseError) -> JSON {
    guard truncates else { throw fail("nesting too deep") }
    truncation.recordCut()
    try skipContainer()
    return .null
  }

  /// Moves past the container at `index` without recursion, checking the same grammar as the
  /// parser with the same messages and offsets, except that numbers are not range-checked.
  /// Memory is one bit per open level (12.5 KB at 100,000 levels): telling `[}` from `[]` needs
  /// the kind of every open container, which no fixed set of counters can hold.
  mutating func skipContainer() throws(JSONParseError) {
    var open = OpenContainers()
    var state = SkipState.value
    while true {
      switch state {
      case .value:
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
          let isObject = bytes[index] == UInt8(ascii: "{")
          open.push(isObject: isObject)
          index += 1
          skipWhitespace()
          if index < bytes.count, bytes[index] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
            index += 1
            open.pop()
            state = .afterValue
          } else {
            state = isObject ? .key : .value
          }
        case UInt8(ascii: "\""): try skipString(); state = .afterValue
        case UInt8(ascii: "t"): try literal("true"); state = .afterValue
        case UInt8(ascii: "f"): try literal("false"); state = .afterValue
        case UInt8(ascii: "n"): try literal("null"); state = .afterValue
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber(); state = .afterValue
        default: throw fail("unexpected character")
        }
      case .key:
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
        try skipString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
        index += 1
        state = .value
      case .afterValue:
        guard let inObject = open.innermostIsObject else { return }
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
          state = inObject ? .key : .value
        } else if bytes[index] == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
          index += 1
          open.pop()
        } else {
          throw fail(inObject ? "expected ',' or '}'" : "expected ',' or ']'")
        }
      }
    }
  }

  /// Moves past a string as `parseString` would read it, without building it.
  mutating func skipString() throws(JSONParseError) {
    index += 1
    var runStart = index
    var validUTF8 = true
    while index < bytes.count {
      let c = bytes[index]
      if c == UInt8(ascii: "\"") {
        validUTF8 = validUTF8 && isValidUTF8(runStart..<index)
        index += 1
        guard validUTF8 else { throw fail("invalid UTF-8 in string") }
        return
      }
      if c == UInt8(ascii: "\\") {
        // Escapes decode to whole scalars, so checking the raw runs between them is enough.
        validUTF8 = validUTF8 && isValidUTF8(runStart..<index)
        index += 1
        guard index < bytes.count else { throw fail("unexpected end of input") }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
          UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
          break
        case UInt8(ascii: "u"): _ = try unicodeEscape()
        default: throw fail("invalid escape")
        }
        runStart = index
        continue
      }
      if c < 0x20 { throw fail("control character in string") }
      index += 1
    }
    throw fail("unterminated string")
  }

  func isValidUTF8(_ range: Range<Int>) -> Bool {
    var bytes = UnsafeBufferPointer(rebasing: bytes[range]).makeIterator()
    var decoder = Unicode.UTF8.ForwardParser()
    while true {
      switch decoder.parseScalar(from: &bytes) {
      case .valid: continue
      case .emptyInput: return true
      case .error: return false
      }
    }
  }
}

/// What the skipper expects next.
enum SkipState { case value, key, afterValue }

/// The kinds of the containers the skipper is inside, one bit each (set for an object).
struct OpenContainers {
  private var words: [UInt64] = []
  private var count = 0

  var innermostIsObject: Bool? {
    guard count > 0 else { return nil }
    return words[(count - 1) >> 6] & (1 << UInt64((count - 1) & 63)) != 0
  }

  mutating func push(isObject: Bool) {
    if count >> 6 == words.count { words.append(0) }
    let bit: UInt64 = 1 << UInt64(count & 63)
    if isObject { words[count >> 6] |= bit } else { words[count >> 6] &= ~bit }
    count += 1
  }

  mutating func pop() { count -= 1 }
}
