import KcdJSON

/// Parser state: the UTF-8 text, a cursor, and what anchors and alias expansion need.
/// Every part of the grammar is an extension on this one value type, so the cursor is shared
/// without classes or closures.
struct YAMLParser {
  /// The input with CR and CRLF turned into LF and any byte-order mark removed, so the rest of
  /// the parser deals with one kind of line break.
  let bytes: [UInt8]
  var index = 0
  /// Offset of the first byte of the cursor's line; `index - lineStart` is the indentation
  /// column, which is exact because indentation is spaces only.
  var lineStart = 0
  var depth = 0
  var anchors: [String: Anchor] = [:]
  /// Nodes created so far in the document; an anchor's size is the difference across its node.
  var nodesBuilt = 0
  var aliasNodesExpanded = 0

  init(_ text: String) {
    var bytes = Array(text.utf8)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    if bytes.contains(Byte.carriageReturn) { bytes = YAMLParser.normalizingLineBreaks(bytes) }
    self.bytes = bytes
  }

  static func normalizingLineBreaks(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = 0
    while i < bytes.count {
      if bytes[i] == Byte.carriageReturn {
        out.append(Byte.newline)
        if i + 1 < bytes.count, bytes[i + 1] == Byte.newline { i += 1 }
      } else {
        out.append(bytes[i])
      }
      i += 1
    }
    return out
  }

  // MARK: Cursor

  /// The byte `offset` past the cursor, or 0 past the end (NUL is refused up front, so 0
  /// always means end of input).
  @inline(__always) func peek(_ offset: Int = 0) -> UInt8 {
    let i = index + offset
    return i < bytes.count ? bytes[i] : 0
  }

  var atEnd: Bool { index >= bytes.count }
  var column: Int { index - lineStart }
  var atLineEnd: Bool { peek().isBreakOrEnd }

  /// `- ` (or `-` at the end of a line): the start of a block sequence entry.
  var atSequenceEntry: Bool { peek() == UInt8(ascii: "-") && peek(1).isBlankOrBreakOrEnd }

  /// `#` starts a comment only at the start of a line or after white space.
  var atCommentStart: Bool {
    peek() == UInt8(ascii: "#") && (index == lineStart || bytes[index - 1].isBlank)
  }

  /// `---` or `...` at the start of a line, followed by white space or the line end.
  var atDocumentMarker: Bool { index == lineStart && isDocumentMarker(at: index) }

  func atDocumentMarker(_ character: UInt8) -> Bool {
    index == lineStart && peek() == character && isDocumentMarker(at: index)
  }

  /// Whether the line starting at offset `start` begins with `---` or `...` and white space.
  func isDocumentMarker(at start: Int) -> Bool {
    guard start + 3 <= bytes.count else { return false }
    let c = bytes[start]
    guard c == UInt8(ascii: "-") || c == UInt8(ascii: ".") else { return false }
    return bytes[start + 1] == c && bytes[start + 2] == c && (start + 3 == bytes.count || bytes[start + 3].isBlankOrBreakOrEnd)
  }

  mutating func skipBlanks() {
    while peek().isBlank { index += 1 }
  }

  /// Skips spaces only, returning how many there were (the indentation of a line).
  mutating func skipSpaces() -> Int {
    let start = index
    while peek() == Byte.space { index += 1 }
    return index - start
  }

  mutating func skipToLineEnd() {
    while !peek().isBreakOrEnd { index += 1 }
  }

  mutating func consumeBreak() {
    index += 1
    lineStart = index
  }

  mutating func skipBlanksAndComment() {
    skipBlanks()
    if atCommentStart { skipToLineEnd() }
  }

  /// Leaves the cursor on the first character of the next line holding content (not blank,
  /// not only a comment), or at the end of input. Called at the end of a line or at a line's
  /// start. Tabs before content are refused here: YAML indents with spaces only, and a tab
  /// would make the indentation depend on the reader's tab width.
  mutating func moveToNextContentLine() throws(YAMLError) {
    if index != lineStart {
      skipBlanksAndComment()
      guard peek() == Byte.newline else { return }
      consumeBreak()
    }
    while true {
      _ = skipSpaces()
      if peek() == Byte.tab {
        let tabIndex = index
        skipBlanks()
        if !atLineEnd, peek() != UInt8(ascii: "#") {
          throw error("tab characters must not be used for indentation", at: tabIndex)
        }
      }
      if peek() == UInt8(ascii: "#") { skipToLineEnd() }
      guard peek() == Byte.newline else { return }
      consumeBreak()
    }
  }

  mutating func enterCollection(at start: Int) throws(YAMLError) {
    depth += 1
    if depth > YAML.maximumDepth {
      throw error("collections are nested more than \(YAML.maximumDepth) levels deep", at: start)
    }
  }

  func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

  /// How a byte reads in a message: the character for printable ASCII, otherwise a description.
  func describe(_ byte: UInt8) -> String {
    switch byte {
    case 0: return "end of input"
    case Byte.newline: return "line break"
    case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
    default: return "a non-ASCII character"
    }
  }

  /// User text (a key, a scalar, a tag) as it appears in a message: quoted, with control
  /// characters escaped so the message stays on one line, and cut short when long.
  func quoted(_ text: String) -> String {
    var out = "'"
    for (count, scalar) in text.unicodeScalars.enumerated() {
      if count == 60 {
        out += "…"
        break
      }
      switch scalar {
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
        || scalar.value == 0x2028 || scalar.value == 0x2029:
        out += "\\u{\(String(scalar.value, radix: 16))}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "'"
  }

  // MARK: Errors

  /// Builds the error for a byte offset. Line and column are only computed here, on the
  /// failure path, so the parser does not have to track line numbers while it runs.
  func error(_ message: String, at offset: Int) -> YAMLError {
    let end = min(max(offset, 0), bytes.count)
    var line = 1
    var start = 0
    for i in 0..<end where bytes[i] == Byte.newline {
      line += 1
      start = i + 1
    }
    var column = 1
    for i in start..<end where bytes[i] & 0xC0 != 0x80 { column += 1 }
    return YAMLError(line: line, column: column, message: message)
  }
}

/// ASCII bytes with a role in the grammar that `UInt8(ascii:)` would make noisy to read.
enum Byte {
  static let tab: UInt8 = 0x09
  static let newline: UInt8 = 0x0A
  static let carriageReturn: UInt8 = 0x0D
  static let space: UInt8 = 0x20
}

extension UInt8 {
  var isBlank: Bool { self == Byte.space || self == Byte.tab }
  var isBreakOrEnd: Bool { self == Byte.newline || self == 0 }
  var isBlankOrBreakOrEnd: Bool { isBlank || isBreakOrEnd }

  /// `,[]{}`: they end plain scalars, anchors and tags inside flow collections.
  var isFlowIndicator: Bool {
    switch self {
    case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"): return true
    default: return false
    }
  }
}
