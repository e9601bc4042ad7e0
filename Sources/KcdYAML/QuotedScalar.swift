extension YAMLParser {
  /// Reads a single- or double-quoted scalar; line breaks fold like plain scalars. YAML 1.2
  /// wants continuation lines indented deeper than `parentIndent`; libyaml (and so kubectl)
  /// accepts any indentation, so this does too, but reports whether it happened: when such a
  /// scalar is followed by garbage, the real mistake is a missing closing quote.
  mutating func parseQuotedScalar(parentIndent: Int) throws(YAMLError) -> (text: String, foldsLessIndentedLines: Bool) {
    let open = index
    let quote = peek()
    let isDouble = quote == UInt8(ascii: "\"")
    index += 1
    var out: [UInt8] = []
    var foldsLessIndentedLines = false
    while true {
      let runStart = index
      while true {
        let c = peek()
        if c == quote || c.isBlankOrBreakOrEnd || (isDouble && c == UInt8(ascii: "\\")) { break }
        index += 1
      }
      out.append(contentsOf: bytes[runStart..<index])
      let c = peek()
      if atEnd { throw unclosedQuote(open) }
      if c == quote {
        index += 1
        if !isDouble, peek() == quote {
          out.append(quote)
          index += 1
          continue
        }
        return (String(decoding: out, as: UTF8.self), foldsLessIndentedLines)
      }
      if c == UInt8(ascii: "\\") {
        if peek(1) == Byte.newline {
          index += 1
          foldsLessIndentedLines = try foldQuotedLineBreak(into: &out, parentIndent: parentIndent, open: open, isEscaped: true)
            || foldsLessIndentedLines
        } else {
          try appendEscape(to: &out, open: open)
        }
      } else if c.isBlank {
        let blankStart = index
        skipBlanks()
        if !atLineEnd { out.append(contentsOf: bytes[blankStart..<index]) }
      } else {
        foldsLessIndentedLines = try foldQuotedLineBreak(into: &out, parentIndent: parentIndent, open: open, isEscaped: false)
          || foldsLessIndentedLines
      }
    }
  }

  func unclosedQuote(_ open: Int) -> YAMLError {
    error(bytes[open] == UInt8(ascii: "\"") ? "unclosed double-quoted scalar" : "unclosed single-quoted scalar", at: open)
  }

  /// At a line break inside quotes: drops the next line's leading white space and turns the
  /// break into a space (or one newline per empty line). An escaped break (`\` at the end of
  /// the line) adds nothing, which is how long strings are split without spaces. Returns
  /// whether the next line is indented less than YAML 1.2 requires.
  private mutating func foldQuotedLineBreak(into out: inout [UInt8], parentIndent: Int, open: Int, isEscaped: Bool) throws(YAMLError) -> Bool {
    consumeBreak()
    var emptyLines = 0
    var indent = 0
    while true {
      indent = skipSpaces()
      skipBlanks()
      guard peek() == Byte.newline else { break }
      emptyLines += 1
      consumeBreak()
    }
    if atEnd || isDocumentMarker(at: lineStart) { throw unclosedQuote(open) }
    if emptyLines > 0 {
      out.append(contentsOf: repeatElement(Byte.newline, count: emptyLines))
    } else if !isEscaped {
      out.append(Byte.space)
    }
    return indent <= parentIndent && peek() != bytes[open]
  }

  /// One escape sequence of a double-quoted scalar (YAML 1.2 §5.7), appended as UTF-8.
  private mutating func appendEscape(to out: inout [UInt8], open: Int) throws(YAMLError) {
    let start = index
    index += 1
    let c = peek()
    if atEnd { throw unclosedQuote(open) }
    index += 1
    switch c {
    case UInt8(ascii: "0"): out.append(0)
    case UInt8(ascii: "a"): out.append(0x07)
    case UInt8(ascii: "b"): out.append(0x08)
    case UInt8(ascii: "t"), Byte.tab: out.append(0x09)
    case UInt8(ascii: "n"): out.append(0x0A)
    case UInt8(ascii: "v"): out.append(0x0B)
    case UInt8(ascii: "f"): out.append(0x0C)
    case UInt8(ascii: "r"): out.append(0x0D)
    case UInt8(ascii: "e"): out.append(0x1B)
    case Byte.space, UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: "\\"): out.append(c)
    case UInt8(ascii: "N"): appendScalar(0x85, to: &out)
    case UInt8(ascii: "_"): appendScalar(0xA0, to: &out)
    case UInt8(ascii: "L"): appendScalar(0x2028, to: &out)
    case UInt8(ascii: "P"): appendScalar(0x2029, to: &out)
    case UInt8(ascii: "x"): appendScalar(try hexDigits(2, escapeStart: start), to: &out)
    case UInt8(ascii: "U"): try appendCodePoint(try hexDigits(8, escapeStart: start), to: &out, escapeStart: start)
    case UInt8(ascii: "u"):
      var value = try hexDigits(4, escapeStart: start)
      if (0xD800...0xDBFF).contains(value), peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") {
        // A UTF-16 surrogate pair, as JSON writes characters outside the BMP.
        let lowStart = index
        index += 2
        let low = try hexDigits(4, escapeStart: lowStart)
        guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid Unicode escape: unpaired surrogate", at: start) }
        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
      }
      try appendCodePoint(value, to: &out, escapeStart: start)
    default:
      throw error("invalid escape sequence '\\\(c < 0x80 ? String(Unicode.Scalar(c)) : "…")'", at: start)
    }
  }

  private mutating func hexDigits(_ count: Int, escapeStart: Int) throws(YAMLError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<count {
      guard let digit = Character(Unicode.Scalar(peek())).hexDigitValue, peek() < 0x80 else {
        throw error("invalid escape sequence: expected \(count) hexadecimal digits", at: escapeStart)
      }
      value = value << 4 | UInt32(digit)
      index += 1
    }
    return value
  }

  private func appendCodePoint(_ value: UInt32, to out: inout [UInt8], escapeStart: Int) throws(YAMLError) {
    guard Unicode.Scalar(value) != nil else {
      throw error("invalid Unicode escape: U+\(String(value, radix: 16, uppercase: true)) is not a character", at: escapeStart)
    }
    appendScalar(value, to: &out)
  }

  private func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
    guard let scalar = Unicode.Scalar(value) else { return }
    UTF8.encode(scalar) { out.append($0) }
  }
}
