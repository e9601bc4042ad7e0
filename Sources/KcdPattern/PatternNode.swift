/// The parsed pattern. Only constructs the matcher can run in linear time exist here, so the
/// compiler never has to refuse anything but size.
indirect enum PatternNode: Sendable, Hashable {
  case empty
  case scalar(UInt32)
  case set(ScalarSet)
  /// `^`: start of input (no multiline mode).
  case start
  /// `$`: end of input only; like RE2 and Swift Regex, unlike PCRE, not before a final newline.
  case end
  /// A group; `capture` is its 1-based index, nil for `(?:…)`.
  case group(PatternNode, capture: Int?)
  case concatenation([PatternNode])
  /// Branches in priority order (leftmost-first).
  case alternation([PatternNode])
  /// `max` nil means unbounded; `greedy` false for the lazy forms `*?`, `{n,m}?`, ….
  case repetition(PatternNode, min: Int, max: Int?, greedy: Bool)
}

extension PatternNode {
  /// Whether the node can match without consuming input; the compiler needs it to keep
  /// Perl's priority order for loops over such nodes.
  var canMatchEmpty: Bool {
    switch self {
    case .empty, .start, .end: true
    case .scalar, .set: false
    case .group(let inner, _): inner.canMatchEmpty
    case .concatenation(let items): items.allSatisfy(\.canMatchEmpty)
    case .alternation(let branches): branches.contains(where: \.canMatchEmpty)
    case .repetition(let inner, let min, _, _): min == 0 || inner.canMatchEmpty
    }
  }
}
