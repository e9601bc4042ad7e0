/// Quantifiers: `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each optionally lazy (`?` suffix).
/// Possessive forms and stacked quantifiers are refused rather than guessed at.
extension PatternParser {
  mutating func parseQuantifier(of atom: PatternNode, startingAt start: Int) throws(PatternError) -> PatternNode {
    let quantifierStart = position
    guard let (min, max) = try parseBounds() else { return atom }
    switch atom {
    case .start, .end:
      throw failure(.nothingToRepeat, "an anchor cannot be repeated", at: quantifierStart)
    default:
      break
    }
    var greedy = true
    if peek == "?" {
      greedy = false
      position += 1
    }
    if peek == "+" {
      throw failure(.atomicOrPossessive, "possessive quantifiers are not supported")
    }
    if let next = peek, next == "*" || next == "?" || next == "{" {
      throw failure(.nestedQuantifier, "a quantifier cannot follow another; use a group")
    }
    return .repetition(atom, min: min, max: max, greedy: greedy)
  }

  /// Reads one quantifier if present; `max` nil means unbounded.
  private mutating func parseBounds() throws(PatternError) -> (Int, Int?)? {
    switch peek {
    case "*":
      position += 1
      return (0, nil)
    case "+":
      position += 1
      return (1, nil)
    case "?":
      position += 1
      return (0, 1)
    case "{":
      return try parseCountedBounds()
    default:
      return nil
    }
  }

  /// Reads `{n}`, `{n,}` or `{n,m}`; any other use of `{` is refused (a literal needs `\{`).
  private mutating func parseCountedBounds() throws(PatternError) -> (Int, Int?) {
    let open = position
    position += 1
    guard let min = parseNumber() else {
      throw failure(.invalidRepetition, "expected {n}, {n,} or {n,m} (escape a literal '{' as \\{)", at: open)
    }
    var max: Int? = min
    if peek == "," {
      position += 1
      max = parseNumber()
    }
    guard peek == "}" else {
      throw failure(.invalidRepetition, "expected {n}, {n,} or {n,m} (escape a literal '{' as \\{)", at: open)
    }
    position += 1
    let bound = PatternLimits.repetitionBound
    guard min <= bound, (max ?? 0) <= bound else {
      throw failure(.boundTooLarge, "repetition count is larger than \(bound)", at: open)
    }
    if let max, max < min {
      throw failure(.invalidRepetition, "repetition {\(min),\(max)} has its bounds out of order", at: open)
    }
    return (min, max)
  }

  /// Reads ASCII digits, saturating well above any accepted bound so huge counts cannot overflow.
  private mutating func parseNumber() -> Int? {
    var value: Int?
    while let next = peek, ScalarSet.digits.contains(next.value) {
      value = Swift.min((value ?? 0) * 10 + Int(next.value - 0x30), 1_000_000)
      position += 1
    }
    return value
  }
}
