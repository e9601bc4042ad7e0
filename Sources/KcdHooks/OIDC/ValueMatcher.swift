import KcdPattern

/// What a configured value accepts: one of some exact strings, or a pattern (a glob, or a
/// regular expression matched against the whole value in linear time — see `KcdPattern`).
public enum ValueMatcher: Sendable, Equatable {
  case oneOf([String])
  case pattern(Pattern)

  public func matches(_ value: String) -> Bool {
    switch self {
    case .oneOf(let values): return values.contains(value)
    case .pattern(let p): return p.wholeMatch(value)
    }
  }

  /// A glob: `*` is any run of characters (`/` included), `?` one character, everything else
  /// itself. A glob without wildcards is an exact value.
  public static func glob(_ glob: String) throws(PatternError) -> ValueMatcher {
    guard glob.contains(where: { $0 == "*" || $0 == "?" }) else { return .oneOf([glob]) }
    var source = ""
    for c in glob {
      switch c {
      case "*": source += ".*"
      case "?": source += "."
      case _ where c.isASCII && !(c.isLetter || c.isNumber) && c != " ": source += "\\" + String(c)
      default: source.append(c)
      }
    }
    return .pattern(try Pattern(source))
  }

  /// A regular expression (whole-value match).
  public static func regex(_ source: String) throws(PatternError) -> ValueMatcher { .pattern(try Pattern(source)) }
}
