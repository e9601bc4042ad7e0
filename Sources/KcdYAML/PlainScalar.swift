extension YAMLParser {
  /// `ns-plain-first`: an indicator cannot begin a plain scalar, except `-`, `?` and `:`
  /// directly followed by a character that could continue it (`-1`, `:x`, `?x`).
  func isPlainStart(inFlow: Bool) -> Bool {
    switch peek() {
    case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"):
      let next = peek(1)
      return !next.isBlankOrBreakOrEnd && !(inFlow && next.isFlowIndicator)
    case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
      UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
      UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
      UInt8(ascii: "`"), Byte.space, Byte.tab, Byte.newline, 0:
      return false
    default:
      return true
    }
  }

  /// Explains why the character under the cursor cannot start a value here.
  func notAPlainStart(inFlow: Bool) -> YAMLError {
    let c = peek()
    switch c {
    case UInt8(ascii: "-"):
      return error(inFlow ? "block sequence entries are not allowed inside flow collections"
        : "a block sequence cannot start on the same line as a mapping key", at: index)
    case UInt8(ascii: "?"):
      return error("an explicit key ('? ') must start its own line or flow entry", at: index)
    case UInt8(ascii: ":"): return error("a mapping value is not allowed here", at: index)
    case UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: "%"):
      return error("\(describe(c)) cannot start a plain scalar; quote the value", at: index)
    case Byte.tab: return error("tab characters must not be used for indentation", at: index)
    default: return error("unexpected \(describe(c))", at: index)
    }
  }

  /// Reads a plain scalar, folding continuation lines indented deeper than `parentIndent`
  /// (a single line break becomes a space, each empty line a newline). Leaves the cursor
  /// where the scalar's last line stopped.
  mutating func parsePlainScalar(parentIndent: Int, inFlow: Bool) throws(YAMLError) -> String {
    guard isPlainStart(inFlow: inFlow) else { throw notAPlainStart(inFlow: inFlow) }
    let first = scanPlainLine(inFlow: inFlow)
    var folded: [UInt8]?
    while peek() == Byte.newline {
      let lineEnd = index
      let lineEndStart = lineStart
      var emptyLines = 0
      consumeBreak()
      var indent = skipSpaces()
      skipBlanks()
      while peek() == Byte.newline {
        emptyLines += 1
        consumeBreak()
        indent = skipSpaces()
        skipBlanks()
      }
      let continues = !atEnd && indent > parentIndent && !isDocumentMarker(at: lineStart)
        && peek() != UInt8(ascii: "#") && canContinuePlain(inFlow: inFlow)
      guard continues else {
        index = lineEnd
        lineStart = lineEndStart
        break
      }
      let lineContentStart = index
      let line = scanPlainLine(inFlow: inFlow)
      if !inFlow, peek() == UInt8(ascii: ":") {
        throw error("bad indentation of a mapping entry", at: lineContentStart)
      }
      if folded == nil { folded = Array(bytes[first]) }
      if emptyLines == 0 {
        folded!.append(Byte.space)
      } else {
        folded!.append(contentsOf: repeatElement(Byte.newline, count: emptyLines))
      }
      folded!.append(contentsOf: bytes[line])
    }
    if let folded { return String(decoding: folded, as: UTF8.self) }
    return text(first)
  }

  private func canContinuePlain(inFlow: Bool) -> Bool {
    let c = peek()
    if c == UInt8(ascii: ":") {
      let next = peek(1)
      return !(next.isBlankOrBreakOrEnd || (inFlow && next.isFlowIndicator))
    }
    return !(inFlow && c.isFlowIndicator)
  }

  /// Scans one line of a plain scalar and returns its bytes without trailing white space.
  /// Stops before `: `, ` #`, the line break and, in flow context, flow indicators.
  mutating func scanPlainLine(inFlow: Bool) -> Range<Int> {
    let start = index
    var end = index
    while true {
      let c = peek()
      switch c {
      case 0, Byte.newline:
        return start..<end
      case Byte.space, Byte.tab:
        index += 1
        continue
      case UInt8(ascii: ":"):
        let next = peek(1)
        if next.isBlankOrBreakOrEnd || (inFlow && next.isFlowIndicator) { return start..<end }
      case UInt8(ascii: "#"):
        if index > start, bytes[index - 1].isBlank { return start..<end }
      case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"):
        if inFlow { return start..<end }
      default:
        break
      }
      index += 1
      end = index
    }
  }
}
