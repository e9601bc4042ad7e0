import KcdJSON

/// Flow context: `[a, b]` and `{k: v}`, nested and spread over lines (JSON is a subset).
extension YAMLParser {
  /// Parses the collection starting at the cursor and leaves the cursor after the closing
  /// bracket. Indentation inside does not matter (YAML 1.2 asks lines to be indented deeper
  /// than the parent, but libyaml, and so kubectl, does not check, and manifests rely on it).
  mutating func parseFlowCollection() throws(YAMLError) -> JSON {
    let open = index
    let isMapping = peek() == UInt8(ascii: "{")
    let close = isMapping ? UInt8(ascii: "}") : UInt8(ascii: "]")
    try enterCollection(at: open)
    defer { depth -= 1 }
    index += 1
    var items: [JSON] = []
    var builder = MappingBuilder()
    while true {
      try skipFlowSeparation(open: open)
      if peek() == close { break }
      if isMapping {
        try parseFlowMappingEntry(into: &builder, open: open)
      } else {
        items.append(try parseFlowSequenceEntry(open: open))
      }
      try skipFlowSeparation(open: open)
      if peek() == UInt8(ascii: ",") {
        index += 1
        continue
      }
      if peek() == close { break }
      throw error("expected ',' or '\(Character(Unicode.Scalar(close)))' in a flow \(isMapping ? "mapping" : "sequence"), found \(describe(peek()))", at: index)
    }
    index += 1
    return isMapping ? builder.build() : .array(items)
  }

  /// `key: value`, `key` alone (null value) or `"key":value`; keys must be scalars.
  private mutating func parseFlowMappingEntry(into builder: inout MappingBuilder, open: Int) throws(YAMLError) {
    let keyStart = index
    try startFlowEntry(open: open)
    let (keyNode, keyProperties) = try parseFlowNode(open: open)
    let key = try finishKey(keyNode, keyProperties, at: keyStart)
    try skipFlowSeparation(open: open)
    var value = JSON.null
    if atFlowValueIndicator(afterJSONLikeNode: keyNode.isJSONLike) {
      index += 1
      value = try parseFlowValue(open: open)
    }
    try addEntry(key, value, isMergeKey: keyNode.isMergeKey && keyProperties.isEmpty, to: &builder, at: keyStart)
  }

  /// A value, or `key: value` which makes a single-pair mapping (`[a: 1]` is `[{"a": 1}]`).
  private mutating func parseFlowSequenceEntry(open: Int) throws(YAMLError) -> JSON {
    let entryStart = index
    let isExplicitKey = try startFlowEntry(open: open)
    let (node, properties) = try parseFlowNode(open: open)
    try skipFlowSeparation(open: open)
    let hasValue = atFlowValueIndicator(afterJSONLikeNode: node.isJSONLike)
    guard hasValue || isExplicitKey else { return try finish(node, properties) }
    let key = try finishKey(node, properties, at: entryStart)
    var value = JSON.null
    if hasValue {
      index += 1
      value = try parseFlowValue(open: open)
    }
    nodesBuilt += 1
    return .object([key: value])
  }

  /// Consumes the `?` of an explicit key (`{? key : value}`, written by emitters for empty or
  /// multi-line keys) and refuses entries whose key is missing.
  @discardableResult
  private mutating func startFlowEntry(open: Int) throws(YAMLError) -> Bool {
    let entryStart = index
    var next = peek(1)
    if peek() == UInt8(ascii: "?"), next.isBlankOrBreakOrEnd || next.isFlowIndicator {
      index += 1
      try skipFlowSeparation(open: open)
      next = peek(1)
    }
    let keyIsMissing = peek() == UInt8(ascii: ",") || peek() == UInt8(ascii: "]") || peek() == UInt8(ascii: "}")
      || (peek() == UInt8(ascii: ":") && (next.isBlankOrBreakOrEnd || next.isFlowIndicator))
    if keyIsMissing, index != entryStart || peek() == UInt8(ascii: ":") {
      throw error("a mapping key cannot be null", at: entryStart)
    }
    return index != entryStart
  }

  /// `:` separates a value when followed by white space or a flow indicator, or directly
  /// after a quoted key or collection (the JSON form `"a":1`).
  private func atFlowValueIndicator(afterJSONLikeNode: Bool) -> Bool {
    guard peek() == UInt8(ascii: ":") else { return false }
    return afterJSONLikeNode || peek(1).isBlankOrBreakOrEnd || peek(1).isFlowIndicator
  }

  /// The value after `:`; empty (null) when the entry ends right away.
  private mutating func parseFlowValue(open: Int) throws(YAMLError) -> JSON {
    try skipFlowSeparation(open: open)
    if peek() == UInt8(ascii: ",") || peek() == UInt8(ascii: "]") || peek() == UInt8(ascii: "}") { return .null }
    let (node, properties) = try parseFlowNode(open: open)
    return try finish(node, properties)
  }

  /// One node inside a flow collection, with its properties still to be applied (the caller
  /// decides whether it is a key or a value).
  private mutating func parseFlowNode(open: Int) throws(YAMLError) -> (ParsedNode, NodeProperties) {
    var properties = NodeProperties(nodesBuilt)
    if peek() == UInt8(ascii: "&") || peek() == UInt8(ascii: "!") {
      properties = try parseProperties(inFlow: true)
      try skipFlowSeparation(open: open)
    }
    switch peek() {
    case UInt8(ascii: "*"):
      return (.alias(try parseAlias()), properties)
    case UInt8(ascii: "["), UInt8(ascii: "{"):
      return (.collection(try parseFlowCollection()), properties)
    case UInt8(ascii: "\""), UInt8(ascii: "'"):
      return (.scalar(try parseQuotedScalar(parentIndent: -1).text, isPlain: false), properties)
    case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
      guard !properties.isEmpty else { throw error("expected a value, found \(describe(peek()))", at: index) }
      return (.empty, properties)
    case UInt8(ascii: ":") where !properties.isEmpty && (peek(1).isBlankOrBreakOrEnd || peek(1).isFlowIndicator):
      return (.empty, properties)
    case UInt8(ascii: "|"), UInt8(ascii: ">"):
      throw error("block scalars are not allowed inside flow collections", at: index)
    default:
      return (.scalar(try parsePlainScalar(parentIndent: -1, inFlow: true), isPlain: true), properties)
    }
  }

  /// Skips white space, comments and line breaks; a document marker or the end of input
  /// means the collection was never closed.
  mutating func skipFlowSeparation(open: Int) throws(YAMLError) {
    while true {
      skipBlanksAndComment()
      guard peek() == Byte.newline else {
        if atEnd { throw unclosedFlowCollection(open) }
        return
      }
      consumeBreak()
      if isDocumentMarker(at: lineStart) { throw unclosedFlowCollection(open) }
    }
  }

  func unclosedFlowCollection(_ open: Int) -> YAMLError {
    error(bytes[open] == UInt8(ascii: "[") ? "unclosed flow sequence: expected ']'" : "unclosed flow mapping: expected '}'", at: open)
  }
}
