import KcdJSON

/// Block context: which node follows an indicator and where it ends, decided by indentation.
///
/// Convention shared by every node parser: on return the cursor is on the first character
/// of the next line holding content (or at the end of input), so the enclosing collection
/// only has to compare that line's column with its own indentation.
extension YAMLParser {
  /// Parses the node after `- `, `key:` or `---`. `parentIndent` is the indentation of the
  /// enclosing collection (-1 at the document root). After `- ` a nested collection may start
  /// on the same line (`- key: value`, `- - a`); after `key:` it may not.
  mutating func parseBlockNode(parentIndent: Int, isMappingValue: Bool, allowsCompactCollection: Bool) throws(YAMLError) -> JSON {
    skipBlanksAndComment()
    let none = NodeProperties(nodesBuilt)
    if atLineEnd {
      return try parseNodeOnFollowingLines(parentIndent: parentIndent, isMappingValue: isMappingValue, properties: none)
    }
    return try parseNodeContent(
      parentIndent: parentIndent, isMappingValue: isMappingValue, allowsCollection: allowsCompactCollection, properties: none)
  }

  /// The node's content starts on a later line: it must be indented deeper than the parent,
  /// except that a mapping value may be a sequence at the key's own indentation
  /// (`key:\n- a`, the kubeconfig style). Anything else means the node is empty.
  mutating func parseNodeOnFollowingLines(parentIndent: Int, isMappingValue: Bool, properties: NodeProperties) throws(YAMLError) -> JSON {
    try moveToNextContentLine()
    if !atEnd, !atDocumentMarker {
      if column > parentIndent {
        return try parseNodeContent(
          parentIndent: parentIndent, isMappingValue: isMappingValue, allowsCollection: true, properties: properties)
      }
      if isMappingValue, column == parentIndent, atSequenceEntry {
        let sequence = try parseBlockSequence(indent: column, isMappingValue: true)
        return try finish(.collection(sequence), properties)
      }
    }
    return try finish(.empty, properties)
  }

  /// Parses a node whose first character is under the cursor. `allowsCollection` is true
  /// where a block collection may begin: at the start of a line, or after `- `.
  /// `properties` were written on an earlier line and apply to this node.
  mutating func parseNodeContent(
    parentIndent: Int, isMappingValue: Bool, allowsCollection: Bool, properties earlier: NodeProperties
  ) throws(YAMLError) -> JSON {
    if allowsCollection {
      let startsSequence = atSequenceEntry
      if startsSequence || atExplicitKey || looksLikeImplicitKey() {
        if bytes[lineStart..<index].contains(Byte.tab) {
          throw error("tab characters must not be used for indentation", at: index)
        }
        let collection = startsSequence
          ? try parseBlockSequence(indent: column, isMappingValue: false)
          : try parseBlockMapping(indent: column)
        return try finish(.collection(collection), earlier)
      }
    }
    var properties = earlier
    if peek() == UInt8(ascii: "&") || peek() == UInt8(ascii: "!") {
      properties = try parseProperties(inFlow: false, adding: earlier)
      skipBlanksAndComment()
      if atLineEnd {
        return try parseNodeOnFollowingLines(parentIndent: parentIndent, isMappingValue: isMappingValue, properties: properties)
      }
    }
    return try parseInlineNode(parentIndent: parentIndent, properties: properties)
  }

  /// A node that starts mid-line and is not a block collection: alias, quoted or plain
  /// scalar, flow collection or block scalar.
  mutating func parseInlineNode(parentIndent: Int, properties: NodeProperties) throws(YAMLError) -> JSON {
    let node: ParsedNode
    switch peek() {
    case UInt8(ascii: "*"):
      node = .alias(try parseAlias())
    case UInt8(ascii: "\""), UInt8(ascii: "'"):
      let open = index
      let quoted = try parseQuotedScalar(parentIndent: parentIndent)
      let value = try finish(.scalar(quoted.text, isPlain: false), properties)
      do {
        try finishLine(after: .scalar(quoted.text, isPlain: false))
      } catch {
        throw quoted.foldsLessIndentedLines ? unclosedQuote(open) : error
      }
      return value
    case UInt8(ascii: "["), UInt8(ascii: "{"):
      node = .collection(try parseFlowCollection())
    case UInt8(ascii: "|"), UInt8(ascii: ">"):
      let text = try parseBlockScalar(parentIndent: parentIndent)
      return try finish(.scalar(text, isPlain: false), properties)
    default:
      node = .scalar(try parsePlainScalar(parentIndent: parentIndent, inFlow: false), isPlain: true)
    }
    let value = try finish(node, properties)
    try finishLine(after: node)
    return value
  }

  /// Only white space and a comment may follow a node on its line.
  mutating func finishLine(after node: ParsedNode) throws(YAMLError) {
    skipBlanksAndComment()
    if !atLineEnd {
      if peek() == UInt8(ascii: ":"), peek(1).isBlankOrBreakOrEnd {
        if case .collection = node { throw error("collections cannot be used as mapping keys", at: index) }
        throw error("a mapping value is not allowed here (a key must start its own line; quote values containing ': ')", at: index)
      }
      throw error("unexpected \(describe(peek())) after a value on the same line", at: index)
    }
    try moveToNextContentLine()
  }
}
