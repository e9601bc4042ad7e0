import KcdJSON

/// RFC 6902 JSON Patch (`application/json-patch+json`) as the apiserver applies it: a malformed
/// patch is a 400, an operation that does not apply is a 422, more than 10 000 operations a 413.
public enum JSONPatch {
  /// The apiserver's cap on operations in one patch.
  public static let maximumOperations = 10_000

  /// Applies every operation in order; the document is only returned if all of them succeed.
  public static func apply(_ patch: JSON, to document: JSON) throws(PatchError) -> JSON {
    guard case .array(let items) = patch else {
      throw .malformed("a JSON patch must be an array of operations")
    }
    guard items.count <= maximumOperations else {
      throw PatchError(
        kind: .tooLarge,
        message: "The allowed maximum operations in a JSON patch is \(maximumOperations), got \(items.count)")
    }
    var operations: [JSONPatchOperation] = []
    operations.reserveCapacity(items.count)
    for (index, item) in items.enumerated() {
      operations.append(try JSONPatchOperation(item, index: index))
    }
    var result = document
    for operation in operations { try operation.apply(to: &result) }
    return result
  }
}

/// One decoded operation; decoding all of them first makes a malformed patch a 400 even when
/// an earlier operation would have failed to apply.
struct JSONPatchOperation {
  enum Action {
    case add(JSON)
    case remove
    case replace(JSON)
    case move(from: JSONPointer)
    case copy(from: JSONPointer)
    case test(JSON)
  }

  /// The `op` as sent, for messages.
  let name: String
  let path: JSONPointer
  let action: Action

  init(_ item: JSON, index: Int) throws(PatchError) {
    guard case .object(let members) = item else { throw .malformed("operation \(index) is not a JSON object") }
    guard let op = members["op"] else { throw .malformed("operation \(index) is missing \"op\"") }
    guard let name = op.stringValue, ["add", "remove", "replace", "move", "copy", "test"].contains(name) else {
      throw .malformed("operation \(index) has unknown op \(op.text)")
    }
    guard let pathText = members["path"]?.stringValue else {
      throw .malformed("\(name) operation \(index) is missing a string \"path\"")
    }
    self.name = name
    self.path = try JSONPointer(pathText)
    func value() throws(PatchError) -> JSON {
      guard let value = members["value"] else { throw .malformed("\(name) operation \(index) is missing \"value\"") }
      return value
    }
    func from() throws(PatchError) -> JSONPointer {
      guard let text = members["from"]?.stringValue else {
        throw .malformed("\(name) operation \(index) is missing a string \"from\"")
      }
      return try JSONPointer(text)
    }
    switch name {
    case "add": action = .add(try value())
    case "remove": action = .remove
    case "replace": action = .replace(try value())
    case "move": action = .move(from: try from())
    case "copy": action = .copy(from: try from())
    default: action = .test(try value())
    }
  }

  func apply(to document: inout JSON) throws(PatchError) {
    switch action {
    case .add(let value):
      try add(value, at: path, in: &document)
    case .remove:
      _ = try remove(at: path, in: &document)
    case .replace(let value):
      try replace(value, at: path, in: &document)
    case .copy(let source):
      try add(try value(at: source, in: document, isFrom: true), at: path, in: &document)
    case .move(let source):
      let moved = try value(at: source, in: document, isFrom: true)
      if source.tokens == path.tokens { return }
      if path.tokens.count > source.tokens.count, Array(path.tokens.prefix(source.tokens.count)) == source.tokens {
        throw .unprocessable("move operation does not apply: cannot move \"\(source.text)\" into its own child \"\(path.text)\"")
      }
      _ = try remove(at: source, in: &document)
      try add(moved, at: path, in: &document)
    case .test(let expected):
      guard try value(at: path, in: document, isFrom: false) == expected else {
        throw .unprocessable("testing value \(path.text) failed: test failed")
      }
    }
  }

  private func missing(_ pointer: JSONPointer, isFrom: Bool = false) -> PatchError {
    let which = isFrom ? "from path" : "path"
    return .unprocessable("\(name) operation does not apply: doc is missing \(which): \"\(pointer.text)\": missing value")
  }

  private func badIndex(_ token: String, _ pointer: JSONPointer) -> PatchError {
    .unprocessable(
      "\(name) operation does not apply: invalid index \"\(token)\" in path \"\(pointer.text)\": invalid index referenced")
  }

  /// Reads an array index token: digits without leading zeros, or `-` (one past the end) when
  /// `allowsEnd`, as for `add`.
  private func index(_ token: String, count: Int, allowsEnd: Bool, _ pointer: JSONPointer) throws(PatchError) -> Int {
    if token == "-" {
      guard allowsEnd else { throw badIndex(token, pointer) }
      return count
    }
    let digits = token.utf8
    guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
      digits.count == 1 || digits.first != UInt8(ascii: "0"), let index = Int(token),
      index < count || (allowsEnd && index == count)
    else { throw badIndex(token, pointer) }
    return index
  }

  private func value(at pointer: JSONPointer, in document: JSON, isFrom: Bool) throws(PatchError) -> JSON {
    var node = document
    for token in pointer.tokens {
      switch node {
      case .object(let members):
        guard let child = members[token] else { throw missing(pointer, isFrom: isFrom) }
        node = child
      case .array(let elements):
        node = elements[try index(token, count: elements.count, allowsEnd: false, pointer)]
      default:
        throw missing(pointer, isFrom: isFrom)
      }
    }
    return node
  }

  /// Runs `body` on the container that holds the pointer's last token, writing changes back.
  private func withParent(
    of pointer: JSONPointer, in document: inout JSON,
    _ body: (inout JSON, String) throws(PatchError) -> Void
  ) throws(PatchError) {
    try descend(&document, pointer.tokens[...], pointer, body)
  }

  private func descend(
    _ node: inout JSON, _ tokens: ArraySlice<String>, _ pointer: JSONPointer,
    _ body: (inout JSON, String) throws(PatchError) -> Void
  ) throws(PatchError) {
    guard let token = tokens.first else { return }
    if tokens.count == 1 { return try body(&node, token) }
    let inObject = try node.editMembers { (members) throws(PatchError) in
      guard var child = members.removeValue(forKey: token) else { throw missing(pointer) }
      defer { members[token] = child }
      try descend(&child, tokens.dropFirst(), pointer, body)
    }
    if inObject { return }
    let inArray = try node.editElements { (elements) throws(PatchError) in
      let position = try index(token, count: elements.count, allowsEnd: false, pointer)
      try descend(&elements[position], tokens.dropFirst(), pointer, body)
    }
    if !inArray { throw missing(pointer) }
  }

  private func add(_ value: JSON, at pointer: JSONPointer, in document: inout JSON) throws(PatchError) {
    guard !pointer.tokens.isEmpty else { document = value; return }
    try withParent(of: pointer, in: &document) { (parent, token) throws(PatchError) in
      if try parent.editMembers({ $0[token] = value }) { return }
      let inArray = try parent.editElements { (elements) throws(PatchError) in
        elements.insert(value, at: try index(token, count: elements.count, allowsEnd: true, pointer))
      }
      if !inArray { throw missing(pointer) }
    }
  }

  private func remove(at pointer: JSONPointer, in document: inout JSON) throws(PatchError) -> JSON {
    guard !pointer.tokens.isEmpty else {
      throw .unprocessable("\(name) operation does not apply: cannot remove the whole document")
    }
    var removed = JSON.null
    try withParent(of: pointer, in: &document) { (parent, token) throws(PatchError) in
      let inObject = try parent.editMembers { (members) throws(PatchError) in
        guard let old = members.removeValue(forKey: token) else { throw missing(pointer) }
        removed = old
      }
      if inObject { return }
      let inArray = try parent.editElements { (elements) throws(PatchError) in
        removed = elements.remove(at: try index(token, count: elements.count, allowsEnd: false, pointer))
      }
      if !inArray { throw missing(pointer) }
    }
    return removed
  }

  private func replace(_ value: JSON, at pointer: JSONPointer, in document: inout JSON) throws(PatchError) {
    guard !pointer.tokens.isEmpty else { document = value; return }
    try withParent(of: pointer, in: &document) { (parent, token) throws(PatchError) in
      let inObject = try parent.editMembers { (members) throws(PatchError) in
        guard members[token] != nil else { throw missing(pointer) }
        members[token] = value
      }
      if inObject { return }
      let inArray = try parent.editElements { (elements) throws(PatchError) in
        elements[try index(token, count: elements.count, allowsEnd: false, pointer)] = value
      }
      if !inArray { throw missing(pointer) }
    }
  }
}

extension JSON {
  // A patch may make 10 000 edits to one big array, so containers are edited in place: the
  // storage is detached from `self` (leaving `.null`) before the edit and put back after it,
  // even when the edit throws. Each returns false, without calling `edit`, for other kinds.

  fileprivate mutating func editMembers(
    _ edit: (inout [String: JSON]) throws(PatchError) -> Void
  ) throws(PatchError) -> Bool {
    guard case .object(var members) = self else { return false }
    self = .null
    defer { self = .object(members) }
    try edit(&members)
    return true
  }

  fileprivate mutating func editElements(_ edit: (inout [JSON]) throws(PatchError) -> Void) throws(PatchError) -> Bool {
    guard case .array(var elements) = self else { return false }
    self = .null
    defer { self = .array(elements) }
    try edit(&elements)
    return true
  }
}

/// An RFC 6901 JSON Pointer split into unescaped reference tokens (`~1` is `/`, `~0` is `~`).
struct JSONPointer {
  let text: String
  let tokens: [String]

  init(_ text: String) throws(PatchError) {
    self.text = text
    guard !text.isEmpty else { tokens = []; return }
    guard text.unicodeScalars.first == "/" else {
      throw .malformed("invalid JSON pointer \"\(text)\": it must be empty or start with \"/\"")
    }
    var tokens: [String] = []
    var token = String.UnicodeScalarView()
    var escaping = false
    for scalar in text.unicodeScalars.dropFirst() {
      if escaping {
        switch scalar {
        case "0": token.append("~")
        case "1": token.append("/")
        default: throw .malformed("invalid JSON pointer \"\(text)\": \"~\" must be followed by \"0\" or \"1\"")
        }
        escaping = false
      } else if scalar == "~" {
        escaping = true
      } else if scalar == "/" {
        tokens.append(String(token))
        token = String.UnicodeScalarView()
      } else {
        token.append(scalar)
      }
    }
    if escaping { throw .malformed("invalid JSON pointer \"\(text)\": \"~\" must be followed by \"0\" or \"1\"") }
    tokens.append(String(token))
    self.tokens = tokens
  }
}
