import KcdJSON

/// A node as read, before its tag is applied: scalars keep their text and whether they were
/// plain, because only plain scalars are typed by the core schema (`"1"` stays a string).
enum ParsedNode {
  case scalar(String, isPlain: Bool)
  case collection(JSON)
  case alias(JSON)

  static let empty = ParsedNode.scalar("", isPlain: true)

  /// Quoted scalars and flow collections may be followed directly by `:` in flow context
  /// (`{"a":1}`), the JSON-compatible form.
  var isJSONLike: Bool {
    switch self {
    case .scalar(_, let isPlain): return !isPlain
    case .collection: return true
    case .alias: return false
    }
  }

  var isMergeKey: Bool {
    if case .scalar("<<", isPlain: true) = self { return true }
    return false
  }
}

/// The tags kcd honours: the core schema's own types, plus `!` (the non-specific tag, which
/// makes a scalar a string). Anything else has no meaning in JSON and is refused.
enum CoreTag {
  case string, integer, boolean, float, null, mapping, sequence, nonSpecific

  init?(_ text: String) {
    let name: Substring
    if text == "!" {
      self = .nonSpecific
      return
    } else if text.hasPrefix("!!") {
      name = text.dropFirst(2)
    } else if text.hasPrefix("!<tag:yaml.org,2002:"), text.hasSuffix(">") {
      name = text.dropFirst(20).dropLast()
    } else {
      return nil
    }
    switch name {
    case "str": self = .string
    case "int": self = .integer
    case "bool": self = .boolean
    case "float": self = .float
    case "null": self = .null
    case "map": self = .mapping
    case "seq": self = .sequence
    default: return nil
    }
  }
}

/// An anchored value and how many nodes it holds, which is what an alias to it expands to.
struct Anchor {
  let value: JSON
  let nodeCount: Int
}

/// The anchor and tag written before a node; they apply to the node that follows.
struct NodeProperties {
  var anchor: String?
  var anchorIndex = 0
  var tag: CoreTag?
  var tagText = ""
  var tagIndex = 0
  /// `nodesBuilt` when the properties were read: the anchored node's size is counted from here.
  var firstNode: Int

  init(_ nodesBuilt: Int) { firstNode = nodesBuilt }

  var isEmpty: Bool { anchor == nil && tag == nil }
  var start: Int { anchor == nil ? tagIndex : (tag == nil ? anchorIndex : min(anchorIndex, tagIndex)) }
}

extension YAMLParser {
  /// Reads `&anchor` and `!tag` (either order, each at most once) and the white space after
  /// them. Unknown tags fail here, naming the tag.
  mutating func parseProperties(inFlow: Bool, adding earlier: NodeProperties? = nil) throws(YAMLError) -> NodeProperties {
    var properties = earlier ?? NodeProperties(nodesBuilt)
    while true {
      let start = index
      if peek() == UInt8(ascii: "&") {
        guard properties.anchor == nil else { throw error("a node can have only one anchor", at: start) }
        index += 1
        let name = scanName()
        guard !name.isEmpty else { throw error("expected an anchor name after '&'", at: start) }
        properties.anchor = name
        properties.anchorIndex = start
        properties.firstNode = nodesBuilt
      } else if peek() == UInt8(ascii: "!") {
        guard properties.tag == nil else { throw error("a node can have only one tag", at: start) }
        let text = try scanTag()
        guard let tag = CoreTag(text) else { throw error("unsupported tag \(quoted(text))", at: start) }
        properties.tag = tag
        properties.tagText = text
        properties.tagIndex = start
      } else {
        return properties
      }
      guard peek().isBlankOrBreakOrEnd || (inFlow && peek().isFlowIndicator) else {
        throw error("expected white space after a node's anchor or tag", at: index)
      }
      skipBlanks()
    }
  }

  /// Anchor and alias names run to white space or a flow indicator (YAML 1.2 `ns-anchor-char`).
  mutating func scanName() -> String {
    let start = index
    while !peek().isBlankOrBreakOrEnd, !peek().isFlowIndicator { index += 1 }
    return text(start..<index)
  }

  mutating func scanTag() throws(YAMLError) -> String {
    let start = index
    index += 1
    if peek() == UInt8(ascii: "<") {
      while peek() != UInt8(ascii: ">") {
        if peek().isBlankOrBreakOrEnd { throw error("unterminated verbatim tag", at: start) }
        index += 1
      }
      index += 1
    } else {
      while !peek().isBlankOrBreakOrEnd, !peek().isFlowIndicator { index += 1 }
    }
    return text(start..<index)
  }

  /// `*name`: the anchored value, counted against the document's alias expansion budget.
  mutating func parseAlias() throws(YAMLError) -> JSON {
    let start = index
    index += 1
    let name = scanName()
    guard !name.isEmpty else { throw error("expected an alias name after '*'", at: start) }
    guard let anchor = anchors[name] else { throw error("alias \(quoted("*" + name)) refers to an undefined anchor", at: start) }
    aliasNodesExpanded += anchor.nodeCount
    guard aliasNodesExpanded <= YAML.maximumAliasExpansion else {
      throw error("aliases expand to more than \(YAML.maximumAliasExpansion) nodes", at: start)
    }
    nodesBuilt += anchor.nodeCount
    return anchor.value
  }

  /// Applies the node's tag (or core-schema resolution) and records its anchor.
  mutating func finish(_ node: ParsedNode, _ properties: NodeProperties) throws(YAMLError) -> JSON {
    let value: JSON
    switch node {
    case .alias(let aliased):
      guard properties.isEmpty else { throw error("an alias cannot have an anchor or a tag", at: properties.start) }
      return aliased
    case .scalar(let text, let isPlain):
      value = try resolveScalar(text, isPlain: isPlain, properties)
    case .collection(let collection):
      value = try checkCollectionTag(collection, properties)
    }
    nodesBuilt += 1
    if let name = properties.anchor {
      anchors[name] = Anchor(value: value, nodeCount: nodesBuilt - properties.firstNode)
    }
    return value
  }

  /// Mapping keys are strings in JSON: a scalar key that resolves to another type keeps its
  /// text (`1:` becomes "1"); null, alias and collection keys are refused.
  mutating func finishKey(_ node: ParsedNode, _ properties: NodeProperties, at keyIndex: Int) throws(YAMLError) -> String {
    switch node {
    case .alias: throw error("aliases cannot be used as mapping keys", at: keyIndex)
    case .collection: throw error("collections cannot be used as mapping keys", at: keyIndex)
    case .scalar(let text, _):
      switch try finish(node, properties) {
      case .null: throw error("a mapping key cannot be null", at: keyIndex)
      case .string(let key): return key
      default: return text
      }
    }
  }

  func checkCollectionTag(_ collection: JSON, _ properties: NodeProperties) throws(YAMLError) -> JSON {
    switch (properties.tag, collection) {
    case (nil, _), (.nonSpecific?, _), (.mapping?, .object), (.sequence?, .array): return collection
    case (_, .object): throw error("tag \(quoted(properties.tagText)) cannot be applied to a mapping", at: properties.tagIndex)
    default: throw error("tag \(quoted(properties.tagText)) cannot be applied to a sequence", at: properties.tagIndex)
    }
  }

  func resolveScalar(_ text: String, isPlain: Bool, _ properties: NodeProperties) throws(YAMLError) -> JSON {
    guard let tag = properties.tag else {
      return isPlain ? CoreSchema.resolve(text) : .string(text)
    }
    let value: JSON?
    switch tag {
    case .string, .nonSpecific: value = .string(text)
    case .null: value = CoreSchema.isNull(text) ? .null : nil
    case .boolean: value = CoreSchema.bool(text).map(JSON.bool)
    case .integer: value = CoreSchema.integer(text).map(JSON.int)
    case .float: value = (CoreSchema.float(text) ?? CoreSchema.integer(text).map(Double.init)).map(JSON.double)
    case .mapping, .sequence:
      throw error("tag \(quoted(properties.tagText)) cannot be applied to a scalar", at: properties.tagIndex)
    }
    guard let value else {
      throw error("\(quoted(text)) is not a valid \(properties.tagText) value", at: properties.tagIndex)
    }
    return value
  }
}
