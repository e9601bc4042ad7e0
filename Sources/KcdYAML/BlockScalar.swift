extension YAMLParser {
  /// What happens to the line breaks at the end of a block scalar.
  enum Chomping { case strip, clip, keep }

  /// Reads a literal (`|`) or folded (`>`) block scalar: header (chomping `-`/`+` and an
  /// indentation indicator 1–9, in either order), then every line indented at least as far
  /// as the content. Leaves the cursor on the next content line.
  mutating func parseBlockScalar(parentIndent: Int) throws(YAMLError) -> String {
    let isFolded = peek() == UInt8(ascii: ">")
    index += 1
    var chomping = Chomping.clip
    var indentIndicator: Int?
    var chompingSeen = false
    while true {
      let c = peek()
      if !chompingSeen, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
        chomping = c == UInt8(ascii: "-") ? .strip : .keep
        chompingSeen = true
      } else if indentIndicator == nil, c >= UInt8(ascii: "1"), c <= UInt8(ascii: "9") {
        indentIndicator = Int(c - UInt8(ascii: "0"))
      } else if c == UInt8(ascii: "0") {
        throw error("a block scalar's indentation indicator must be between 1 and 9", at: index)
      } else {
        break
      }
      index += 1
    }
    guard peek().isBlankOrBreakOrEnd else {
      throw error("invalid block scalar header: unexpected \(describe(peek()))", at: index)
    }
    skipBlanksAndComment()
    guard atLineEnd else { throw error("only a comment may follow a block scalar header", at: index) }
    if atEnd { return "" }
    consumeBreak()

    let contentIndent: Int
    var pendingBreaks: Int
    if let indentIndicator {
      contentIndent = max(parentIndent, 0) + indentIndicator
      pendingBreaks = skipEmptyBlockLines(indent: contentIndent)
    } else {
      (contentIndent, pendingBreaks) = try detectBlockIndentation(parentIndent: parentIndent)
    }

    var out: [UInt8] = []
    var lastLineHadBreak = false
    while inBlockContent(contentIndent) {
      out.append(contentsOf: repeatElement(Byte.newline, count: pendingBreaks))
      let startsWithBlank = peek().isBlank
      let textStart = index
      skipToLineEnd()
      out.append(contentsOf: bytes[textStart..<index])
      lastLineHadBreak = peek() == Byte.newline
      if lastLineHadBreak { consumeBreak() }
      pendingBreaks = skipEmptyBlockLines(indent: contentIndent)
      guard inBlockContent(contentIndent) else { break }
      // Folding joins two lines of ordinary text with a space; lines starting with white
      // space ("more indented") and empty lines keep their breaks.
      if isFolded, !startsWithBlank, !peek().isBlank {
        if pendingBreaks == 0 { out.append(Byte.space) }
      } else {
        out.append(Byte.newline)
      }
    }
    switch chomping {
    case .strip: break
    case .clip: if lastLineHadBreak { out.append(Byte.newline) }
    case .keep:
      if lastLineHadBreak { out.append(Byte.newline) }
      out.append(contentsOf: repeatElement(Byte.newline, count: pendingBreaks))
    }
    if !atEnd { index = lineStart }
    try moveToNextContentLine()
    return String(decoding: out, as: UTF8.self)
  }

  /// Whether the cursor sits at the content indentation of another line of the scalar.
  private func inBlockContent(_ contentIndent: Int) -> Bool {
    !atEnd && column == contentIndent && !peek().isBreakOrEnd && !(contentIndent == 0 && atDocumentMarker)
  }

  /// Consumes empty lines (at most `indent` spaces, then a break) and counts them; stops at
  /// the content indentation of the next line, or earlier on a less indented one.
  private mutating func skipEmptyBlockLines(indent: Int) -> Int {
    var breaks = 0
    while true {
      while column < indent, peek() == Byte.space { index += 1 }
      guard peek() == Byte.newline else { return breaks }
      consumeBreak()
      breaks += 1
    }
  }

  /// Without an indicator, the first non-empty line sets the content indentation; leading
  /// empty lines may not be indented further than it (YAML 1.2 §8.1.1.1).
  private mutating func detectBlockIndentation(parentIndent: Int) throws(YAMLError) -> (indent: Int, breaks: Int) {
    var breaks = 0
    var deepestEmptyLine = 0
    var emptyLineStart = 0
    while true {
      let spaces = skipSpaces()
      guard peek() == Byte.newline else {
        if atEnd { return (max(parentIndent + 1, spaces + 1), breaks) }
        if spaces <= parentIndent || isDocumentMarker(at: lineStart) {
          index = lineStart
          return (parentIndent + 1, breaks)
        }
        if deepestEmptyLine > spaces {
          throw error("a leading empty line of a block scalar is indented more than its first line", at: emptyLineStart)
        }
        return (spaces, breaks)
      }
      if spaces > deepestEmptyLine {
        deepestEmptyLine = spaces
        emptyLineStart = lineStart
      }
      consumeBreak()
      breaks += 1
    }
  }
}
