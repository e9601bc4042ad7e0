/// Why a pattern was refused. The description is short enough for a Kubernetes status
/// condition: what is wrong, the byte offset, and at most 16 characters of the pattern.
public struct PatternError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What kind of problem, so callers and tests need not match on message text.
  public enum Code: String, Sendable, Hashable {
    case patternTooLong, programTooLarge, nestingTooDeep, tooManyCaptures, boundTooLarge
    case unbalancedParenthesis, unterminatedClass, emptyClass, invalidRange, invalidRepetition
    case nothingToRepeat, nestedQuantifier, trailingBackslash, invalidGroupName, duplicateGroupName
    case backreference, lookaround, atomicOrPossessive, wordBoundary, unicodeProperty
    case unsupportedEscape, unsupportedGroup, unsupportedClassSyntax
  }

  public let code: Code
  /// What is wrong, without the pattern text.
  public let reason: String
  /// UTF-8 byte offset in the pattern where the problem was found; nil when it is the whole pattern.
  public let offset: Int?
  /// A few characters of the pattern starting at `offset`, so the reader can find the spot.
  public let excerpt: String

  /// Longest excerpt, in Unicode scalars, ever put into a message.
  static let excerptLength = 16

  init(_ code: Code, _ reason: String, offset: Int? = nil, excerpt: String = "") {
    self.code = code
    self.reason = reason
    self.offset = offset
    self.excerpt = excerpt
  }

  public var description: String {
    guard let offset else { return "invalid pattern: \(reason)" }
    let near = excerpt.isEmpty ? "" : " near \"\(excerpt)\""
    return "invalid pattern at offset \(offset)\(near): \(reason)"
  }
}
