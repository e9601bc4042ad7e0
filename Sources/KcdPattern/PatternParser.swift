/// Recursive-descent parser from pattern source to `PatternNode`. Everything outside the
/// supported subset is refused here with its offset, so nothing is silently read differently.
struct PatternParser {
  let scalars: [Unicode.Scalar]
  /// UTF-8 offset of each scalar, plus one entry for the end, for error messages.
  let offsets: [Int]
  var position = 0
  var depth = 0
  var captureCount = 0
  var captureNames: [String: Int] = [:]

  init(_ source: String) {
    scalars = Array(source.unicodeScalars)
    var offsets: [Int] = []
    var offset = 0
    for scalar in scalars {
      offsets.append(offset)
      offset += UTF8.width(scalar)
    }
    offsets.append(offset)
    self.offsets = offsets
  }

  /// Parses the whole source; a `)` left over at the top level is unbalanced.
  mutating func parse() throws(PatternError) -> PatternNode {
    let tree = try parseAlternation()
    if position < scalars.count {
      throw failure(.unbalancedParenthesis, "unmatched ')'")
    }
    return tree
  }

  var peek: Unicode.Scalar? { peek(0) }

  func peek(_ ahead: Int) -> Unicode.Scalar? {
    position + ahead < scalars.count ? scalars[position + ahead] : nil
  }

  func failure(_ code: PatternError.Code, _ reason: String, at start: Int? = nil) -> PatternError {
    let at = min(start ?? position, scalars.count)
    let stop = min(at + PatternError.excerptLength, scalars.count)
    var excerpt = String(String.UnicodeScalarView(scalars[at..<stop]))
    if stop < scalars.count { excerpt += "…" }
    return PatternError(code, reason, offset: offsets[at], excerpt: excerpt)
  }

  mutating func parseAlternation() throws(PatternError) -> PatternNode {
    var branches = [try parseConcatenation()]
    while peek == "|" {
      position += 1
      branches.append(try parseConcatenation())
    }
    return branches.count == 1 ? branches[0] : .alternation(branches)
  }

  private mutating func parseConcatenation() throws(PatternError) -> PatternNode {
    var items: [PatternNode] = []
    while let next = peek, next != "|", next != ")" {
      let start = position
      let atom = try parseAtom()
      items.append(try parseQuantifier(of: atom, startingAt: start))
    }
    if items.isEmpty { return .empty }
    return items.count == 1 ? items[0] : .concatenation(items)
  }

  private mutating func parseAtom() throws(PatternError) -> PatternNode {
    let next = scalars[position]
    switch next {
    case "(":
      return try parseGroup()
    case "[":
      return .set(try parseClass())
    case "\\":
      switch try parseEscape() {
      case .scalar(let value): return .scalar(value)
      case .set(let set): return .set(set)
      }
    case "*", "+", "?", "{":
      throw failure(.nothingToRepeat, "'\(next)' has nothing to repeat (escape it for a literal)")
    default:
      position += 1
      switch next {
      case ".": return .set(.anyButNewline)
      case "^": return .start
      case "$": return .end
      default: return .scalar(next.value)
      }
    }
  }
}

extension Unicode.Scalar {
  /// ASCII letter, digit or underscore.
  var isASCIIWordCharacter: Bool { ScalarSet.word.contains(value) }
}
