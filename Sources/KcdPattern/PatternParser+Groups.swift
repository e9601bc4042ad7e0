/// Groups: numbered `( )`, non-capturing `(?: )`, named `(?<name> )` and `(?P<name> )`.
/// Every other `(?` form (lookaround, atomic, flags, recursion) is refused by name.
extension PatternParser {
  mutating func parseGroup() throws(PatternError) -> PatternNode {
    let open = position
    depth += 1
    guard depth <= PatternLimits.nestingDepth else {
      throw failure(.nestingTooDeep, "groups nest deeper than \(PatternLimits.nestingDepth)")
    }
    position += 1
    let capture = try parseGroupKind(open: open)
    let inner = try parseAlternation()
    guard peek == ")" else { throw failure(.unbalancedParenthesis, "'(' is never closed", at: open) }
    position += 1
    depth -= 1
    return .group(inner, capture: capture)
  }

  /// Reads what follows `(`: nothing (numbered group), `?:`, `?<name>` or `?P<name>`.
  /// Returns the capture index, nil for non-capturing.
  private mutating func parseGroupKind(open: Int) throws(PatternError) -> Int? {
    guard peek == "?" else { return try newCapture(name: nil, at: open) }
    switch (peek(1), peek(2)) {
    case (":", _):
      position += 2
      return nil
    case ("=", _), ("!", _):
      throw failure(.lookaround, "lookahead is not supported", at: open)
    case ("<", "="), ("<", "!"):
      throw failure(.lookaround, "lookbehind is not supported", at: open)
    case ("<", _):
      position += 2
      return try newCapture(name: parseGroupName(open: open), at: open)
    case ("P", "<"):
      position += 3
      return try newCapture(name: parseGroupName(open: open), at: open)
    case ("P", "="):
      throw failure(.backreference, "named backreferences are not supported", at: open)
    case (">", _):
      throw failure(.atomicOrPossessive, "atomic groups are not supported", at: open)
    default:
      throw failure(.unsupportedGroup, "only (?:…), (?<name>…) and (?P<name>…) groups are supported", at: open)
    }
  }

  /// Reads `name>`: a letter or underscore, then letters, digits or underscores.
  private mutating func parseGroupName(open: Int) throws(PatternError) -> String {
    var name = String.UnicodeScalarView()
    while let next = peek, next.isASCIIWordCharacter {
      if name.isEmpty, ScalarSet.digits.contains(next.value) { break }
      name.append(next)
      position += 1
    }
    guard !name.isEmpty, peek == ">" else {
      throw failure(.invalidGroupName, "group name must be letters, digits or '_' and end with '>'", at: open)
    }
    position += 1
    return String(name)
  }

  private mutating func newCapture(name: String?, at open: Int) throws(PatternError) -> Int {
    guard captureCount < PatternLimits.captureGroups else {
      throw failure(.tooManyCaptures, "more than \(PatternLimits.captureGroups) capture groups", at: open)
    }
    captureCount += 1
    if let name {
      guard captureNames[name] == nil else {
        throw failure(.duplicateGroupName, "group name '\(name.prefix(16))' is used twice", at: open)
      }
      captureNames[name] = captureCount
    }
    return captureCount
  }
}
