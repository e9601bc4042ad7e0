/// Bounds on tenant-written patterns. They keep compile time, program size and the matcher's
/// per-call memory small no matter what a tenant writes into a spec.
public enum PatternLimits {
  /// Longest accepted pattern source, in UTF-8 bytes.
  public static let sourceBytes = 1_024
  /// Largest `n` or `m` in `{n}`, `{n,}` and `{n,m}`.
  public static let repetitionBound = 1_000
  /// Largest compiled program; counted repetition is expanded, so `(a{1000}){1000}` exceeds it.
  public static let instructions = 20_000
  /// Deepest nesting of groups.
  public static let nestingDepth = 100
  /// Most capture groups; each running thread carries two slots per group.
  public static let captureGroups = 32
}
