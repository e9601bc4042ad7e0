/// Bracket classes and backslash escapes, which share one reader so `\d` means the same
/// inside and outside brackets.
extension PatternParser {
  /// One class member or escape: a single scalar (usable as a range end) or a whole set.
  enum ClassItem {
    case scalar(UInt32)
    case set(ScalarSet)
  }

  /// Reads `[…]` or `[^…]`. `-` is literal only first or last; anything that PCRE and Swift
  /// Regex read differently (`[]…]`, `[[:alpha:]]`, `[a&&b]`, `[a-c-e]`) is refused.
  mutating func parseClass() throws(PatternError) -> ScalarSet {
    let open = position
    position += 1
    var negated = false
    if peek == "^" {
      negated = true
      position += 1
    }
    if peek == "]" {
      throw failure(.emptyClass, "empty character class (escape a literal ']' as \\])", at: open)
    }
    var members = ScalarSet()
    while true {
      guard let next = peek else { throw failure(.unterminatedClass, "'[' is never closed", at: open) }
      if next == "]" {
        position += 1
        break
      }
      let itemStart = position
      let item = try parseClassItem()
      guard peek == "-", let after = peek(1), after != "]" else {
        members = members.union(item.members)
        continue
      }
      position += 1
      guard case .scalar(let low) = item, case .scalar(let high) = try parseClassItem() else {
        throw failure(.invalidRange, "a range must run between two single characters", at: itemStart)
      }
      guard low <= high else { throw failure(.invalidRange, "range is out of order", at: itemStart) }
      members = members.union(ScalarSet([low...high]))
      if peek == "-", let after = peek(1), after != "]" {
        throw failure(.invalidRange, "'-' after a range is ambiguous; escape it as \\-")
      }
    }
    return negated ? members.inverted : members
  }

  private mutating func parseClassItem() throws(PatternError) -> ClassItem {
    let next = scalars[position]
    if next == "\\" { return try parseEscape() }
    if next == "[" {
      throw failure(.unsupportedClassSyntax, "'[' inside a class must be escaped as \\[")
    }
    if next == "&", peek(1) == "&" {
      throw failure(.unsupportedClassSyntax, "'&&' inside a class is ambiguous; escape it as \\&")
    }
    position += 1
    return .scalar(next.value)
  }

  /// Reads `\` and what follows. Escaped ASCII punctuation is literal; letters and digits
  /// mean something only when listed here, so an unknown one is refused, not taken literally.
  mutating func parseEscape() throws(PatternError) -> ClassItem {
    let start = position
    guard let next = peek(1) else { throw failure(.trailingBackslash, "pattern ends with '\\'") }
    position += 2
    switch next {
    case "d": return .set(.digits)
    case "D": return .set(ScalarSet.digits.inverted)
    case "w": return .set(.word)
    case "W": return .set(ScalarSet.word.inverted)
    case "s": return .set(.space)
    case "S": return .set(ScalarSet.space.inverted)
    case "t": return .scalar(0x09)
    case "n": return .scalar(0x0A)
    case "r": return .scalar(0x0D)
    case "1"..."9", "k", "g":
      throw failure(.backreference, "backreferences are not supported", at: start)
    case "b", "B":
      throw failure(.wordBoundary, "word boundaries (\\b, \\B) are not supported", at: start)
    case "p", "P":
      throw failure(.unicodeProperty, "Unicode property classes are not supported", at: start)
    default:
      guard next.isASCII, next.value >= 0x20, next.value < 0x7F, !next.isASCIIWordCharacter || next == "_" else {
        throw failure(.unsupportedEscape, "unsupported escape sequence", at: start)
      }
      return .scalar(next.value)
    }
  }
}

extension PatternParser.ClassItem {
  var members: ScalarSet {
    switch self {
    case .scalar(let value): ScalarSet([value...value])
    case .set(let set): set
    }
  }
}
