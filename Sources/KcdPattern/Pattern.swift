/// A regular expression that matches in time linear in the input, for patterns written by
/// tenants (`spec.versionSyntax`, `versionPolicy.extract`): Swift's `Regex` backtracks, so a
/// pattern such as `(a*)*b` could pin a CPU. Compile once, then share and reuse freely.
///
/// Supported: literals, `.`, `[…]`/`[^…]` with ranges, `\d \D \w \W \s \S \t \n \r`, escaped
/// punctuation, `^ $` (whole input, no multiline), `( )`, `(?: )`, `(?<name> )`, `(?P<name> )`,
/// `|`, and `* + ? {n} {n,} {n,m}` with lazy forms. Refused: backreferences, lookaround, atomic
/// groups, possessive quantifiers, `\b`/`\B` (word boundaries: tags rarely need them, and
/// refusing is clearer than half-supporting), `\p{…}`, inline flags, and any other escape.
/// Matching is over Unicode scalars; `\d`, `\w`, `\s` are ASCII-only; `.` excludes only `\n`.
///
/// Captures follow Perl's leftmost-first rules, with one known difference (threads are merged
/// per instruction): a loop whose body can match empty, like `(a|)+`, takes no final empty
/// iteration, so its group keeps the last non-empty text where PCRE reports "".
public struct Pattern: Sendable, Hashable, CustomStringConvertible {
  /// The pattern as written.
  public let source: String
  let program: PatternProgram

  public init(_ source: String) throws(PatternError) {
    let limit = PatternLimits.sourceBytes
    guard source.utf8.count <= limit else {
      throw PatternError(.patternTooLong, "pattern is longer than \(limit) bytes")
    }
    var parser = PatternParser(source)
    let tree = try parser.parse()
    self.source = source
    program = try PatternCompiler.compile(
      tree, captureCount: parser.captureCount, captureNames: parser.captureNames)
  }

  /// Number of capture groups, not counting the whole match.
  public var captureCount: Int { program.captureCount }

  public var description: String { source }

  /// Whether the pattern has a capture group with this name (`(?<v>…)`).
  public func hasGroup(named name: String) -> Bool { program.captureNames[name] != nil }

  /// True when the entire input matches, as if the pattern were `^(?:…)$`.
  public func wholeMatch(_ input: String) -> Bool {
    var text = input
    return text.withUTF8 { PikeVM.run(program, capturing: false, $0, anchored: true, toEnd: true) } != nil
  }

  /// The leftmost match, preferring earlier alternatives and greedier (or, for lazy
  /// quantifiers, shorter) repetitions, as Perl, PCRE and Swift `Regex` do.
  public func firstMatch(_ input: String) -> PatternMatch? {
    var text = input
    let found = text.withUTF8 { PikeVM.run(program, capturing: true, $0, anchored: false, toEnd: false) }
    guard let slots = found else { return nil }
    return PatternMatch(input: input, slots: slots, captureNames: program.captureNames)
  }

  /// Patterns are equal when written the same; the program follows from the source.
  public static func == (lhs: Pattern, rhs: Pattern) -> Bool { lhs.source == rhs.source }

  public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
