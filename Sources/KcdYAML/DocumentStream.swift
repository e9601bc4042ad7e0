import KcdJSON

extension YAMLParser {
  /// Splits the stream at `---` / `...` markers and parses each document's root node.
  /// Returns where each document starts so `YAML.parse` can point at an unexpected second one.
  mutating func parseStream() throws(YAMLError) -> [(value: JSON, start: Int)] {
    if let nul = bytes.firstIndex(of: 0) {
      throw error("NUL characters are not allowed in YAML", at: nul)
    }
    var documents: [(value: JSON, start: Int)] = []
    try moveToNextContentLine()
    while !atEnd {
      let start = index
      anchors = [:]
      aliasNodesExpanded = 0
      if index == lineStart, peek() == UInt8(ascii: "%") {
        throw error("directives (%YAML, %TAG) are not supported; remove the line", at: index)
      }
      if atDocumentMarker(UInt8(ascii: ".")) {
        try finishDocumentEndMarker()
        continue
      }
      let value: JSON
      if atDocumentMarker(UInt8(ascii: "-")) {
        index += 3
        value = try parseBlockNode(parentIndent: -1, isMappingValue: false, allowsCompactCollection: false)
      } else {
        value = try parseNodeContent(
          parentIndent: -1, isMappingValue: false, allowsCollection: true, properties: NodeProperties(nodesBuilt))
      }
      documents.append((value, start))
      if atEnd || atDocumentMarker(UInt8(ascii: "-")) { continue }
      if atDocumentMarker(UInt8(ascii: ".")) {
        try finishDocumentEndMarker()
        continue
      }
      throw error("unexpected content after the document's root node (check the indentation)", at: index)
    }
    return documents
  }

  /// `...` may only be followed by a comment on its line.
  mutating func finishDocumentEndMarker() throws(YAMLError) {
    index += 3
    skipBlanksAndComment()
    guard atLineEnd else { throw error("unexpected content after the document end marker '...'", at: index) }
    try moveToNextContentLine()
  }
}
