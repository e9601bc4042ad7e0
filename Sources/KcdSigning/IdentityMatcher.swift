import KcdPattern

/// An `IdentityMatch` ready to use: a pattern is compiled once, when the policy is prepared.
struct IdentityMatcher: Sendable {
  let match: IdentityMatch
  let pattern: Pattern?

  init(_ match: IdentityMatch, what: String) throws(CandidateFailure) {
    self.match = match
    switch match {
    case .exact(let value):
      guard !value.isEmpty else { throw .rejected("the \(what) to match is empty") }
      pattern = nil
    case .pattern(let source):
      do { pattern = try Pattern(source) } catch { throw .rejected("the \(what) pattern does not compile: \(error.description)") }
    }
  }

  /// Exact equality, or a match of the whole value.
  func matches(_ value: String) -> Bool {
    switch match {
    case .exact(let expected): return value == expected
    case .pattern: return pattern?.wholeMatch(value) ?? false
    }
  }
}
