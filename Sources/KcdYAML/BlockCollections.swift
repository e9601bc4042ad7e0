import KcdJSON

extension YAMLParser {
  /// Entries `key: value`, each starting at column `indent`; the first may start mid-line
  /// after `- ` (the compact form `- name: a`).
  mutating func parseBlockMapping(indent: Int) throws(YAMLError) -> JSON {
    try enterCollection(at: index)
    defer { depth -= 1 }
    var builder = MappingBuilder()
    while true {
      let entryStart = index
      if atExplicitKey {
        let (key, value) = try parseExplicitEntry(indent: indent)
        try addEntry(key, value, isMergeKey: false, to: &builder, at: entryStart)
      } else {
        let (key, isMergeKey) = try parseBlockKey(indent: indent)
        let value = try parseBlockNode(parentIndent: indent, isMappingValue: true, allowsCompactCollection: false)
        try addEntry(key, value, isMergeKey: isMergeKey, to: &builder, at: entryStart)
      }
      if atEnd || atDocumentMarker || column < indent { break }
      if column > indent { throw error("bad indentation of a mapping entry", at: index) }
      if atSequenceEntry { throw error("expected a mapping key at this indentation, found a sequence entry", at: index) }
    }
    return builder.build()
  }

  /// Entries `- value`, each starting at column `indent`. A sequence that is a mapping value
  /// at its key's indentation ends when a line at that indentation is not an entry (the
  /// mapping's next key); any other sequence requires `- ` there.
  mutating func parseBlockSequence(indent: Int, isMappingValue: Bool) throws(YAMLError) -> JSON {
    try enterCollection(at: index)
    defer { depth -= 1 }
    var items: [JSON] = []
    while true {
      index += 1
      items.append(try parseBlockNode(parentIndent: indent, isMappingValue: false, allowsCompactCollection: true))
      if atEnd || atDocumentMarker || column < indent { break }
      if column > indent { throw error("bad indentation of a sequence entry", at: index) }
      if !atSequenceEntry {
        if isMappingValue { break }
        throw error("expected a sequence entry ('- ') at this indentation", at: index)
      }
    }
    return .array(items)
  }

  /// `? ` starts an explicit key, which emitters (PyYAML, go-yaml) write for keys longer than
  /// 128 characters or spanning lines.
  var atExplicitKey: Bool { peek() == UInt8(ascii: "?") && peek(1).isBlankOrBreakOrEnd }

  /// `? key` on its own, optionally followed by `: value` at the same indentation. The key
  /// may be any scalar node, including a block scalar; collection keys have no JSON form.
  mutating func parseExplicitEntry(indent: Int) throws(YAMLError) -> (key: String, value: JSON) {
    index += 1
    var keyStart = index
    while keyStart < bytes.count, bytes[keyStart].isBlank { keyStart += 1 }
    let key: String
    switch try parseBlockNode(parentIndent: indent, isMappingValue: false, allowsCompactCollection: true) {
    case .string(let text): key = text
    case .null: throw error("a mapping key cannot be null", at: keyStart)
    case .array, .object: throw error("collections cannot be used as mapping keys", at: keyStart)
    case let scalar: key = scalar.text
    }
    guard !atEnd, !atDocumentMarker, column == indent, peek() == UInt8(ascii: ":"), peek(1).isBlankOrBreakOrEnd else {
      return (key, .null)
    }
    index += 1
    return (key, try parseBlockNode(parentIndent: indent, isMappingValue: true, allowsCompactCollection: true))
  }

  /// Reads `[properties] key :` of one entry and leaves the cursor after the `:`. Implicit
  /// keys are single-line scalars; collection and alias keys have no JSON form.
  mutating func parseBlockKey(indent: Int) throws(YAMLError) -> (key: String, isMergeKey: Bool) {
    let properties = try parseProperties(inFlow: false)
    let keyStart = index
    let node: ParsedNode
    switch peek() {
    case UInt8(ascii: "\""), UInt8(ascii: "'"):
      let line = lineStart
      node = .scalar(try parseQuotedScalar(parentIndent: indent).text, isPlain: false)
      if lineStart != line { throw error("a mapping key must fit on one line", at: keyStart) }
    case UInt8(ascii: "*"):
      throw error("aliases cannot be used as mapping keys", at: keyStart)
    case UInt8(ascii: "["), UInt8(ascii: "{"):
      throw error("collections cannot be used as mapping keys", at: keyStart)
    case UInt8(ascii: ":") where peek(1).isBlankOrBreakOrEnd:
      node = .empty
    default:
      guard isPlainStart(inFlow: false) else { throw error("expected a mapping key, found \(describe(peek()))", at: keyStart) }
      node = .scalar(text(scanPlainLine(inFlow: false)), isPlain: true)
    }
    skipBlanks()
    guard peek() == UInt8(ascii: ":"), peek(1).isBlankOrBreakOrEnd else {
      throw error("expected ':' after a mapping key", at: index)
    }
    let key = try finishKey(node, properties, at: keyStart)
    index += 1
    return (key, node.isMergeKey && properties.isEmpty)
  }

  /// Whether the cursor's line reads `[properties] key:` up to a `: ` — which makes it the
  /// first entry of a block mapping rather than a scalar. Pure lookahead; malformed input is
  /// left for the real parse to report.
  func looksLikeImplicitKey() -> Bool {
    var i = index
    func at(_ offset: Int = 0) -> UInt8 { i + offset < bytes.count ? bytes[i + offset] : 0 }
    while at() == UInt8(ascii: "&") || at() == UInt8(ascii: "!") {
      while !at().isBlankOrBreakOrEnd { i += 1 }
      while at().isBlank { i += 1 }
    }
    switch at() {
    case UInt8(ascii: "\""), UInt8(ascii: "'"):
      let quote = at()
      i += 1
      while true {
        let c = at()
        if c.isBreakOrEnd { return false }
        if c == UInt8(ascii: "\\"), quote == UInt8(ascii: "\"") {
          if at(1).isBreakOrEnd { return false }
          i += 2
          continue
        }
        i += 1
        if c == quote {
          if quote == UInt8(ascii: "'"), at() == quote {
            i += 1
            continue
          }
          break
        }
      }
      while at().isBlank { i += 1 }
      return at() == UInt8(ascii: ":") && at(1).isBlankOrBreakOrEnd
    case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "#"), UInt8(ascii: "|"), UInt8(ascii: ">"), Byte.newline, 0:
      return false
    default:
      while !at().isBreakOrEnd {
        if at() == UInt8(ascii: ":"), at(1).isBlankOrBreakOrEnd { return true }
        if at() == UInt8(ascii: "#"), i > index, bytes[i - 1].isBlank { return false }
        i += 1
      }
      return false
    }
  }
}
