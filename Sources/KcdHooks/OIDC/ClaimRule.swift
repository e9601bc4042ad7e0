import KcdJSON

/// One configured condition on an ID token's claims, e.g. `repository` is `shop/web`, or `ref`
/// matches `refs/heads/*`. A token is allowed only when every rule of its issuer holds; a
/// claim that is missing, or is a list or an object, never matches.
public struct ClaimRule: Sendable, Equatable {
  public let claim: String
  public let matcher: ValueMatcher

  public init(claim: String, matcher: ValueMatcher) {
    self.claim = claim
    self.matcher = matcher
  }

  public func matches(_ claims: JSON) -> Bool {
    guard let value = ClaimRule.text(claims[claim]) else { return false }
    return matcher.matches(value)
  }

  /// A claim as the text a rule compares: strings as they are, booleans as `true`/`false`
  /// (GitLab's `ref_protected` is a string, GitHub's booleans are not), integers in decimal.
  static func text(_ value: JSON) -> String? {
    switch value {
    case .string(let s): return s
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    default: return nil
    }
  }
}
