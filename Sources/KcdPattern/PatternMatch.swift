/// The result of `Pattern.firstMatch`: the whole match and each group, by number or name.
/// Ranges index into `input`; groups that did not take part in the match are nil.
public struct PatternMatch: Sendable {
  public let input: String
  /// UTF-8 offsets: start and end of group g at 2g and 2g+1, -1 when unset.
  let slots: [Int]
  let captureNames: [String: Int]

  /// Range of the whole match in `input`.
  public var range: Range<String.Index> { range(at: 0)! }

  /// The matched text.
  public var value: Substring { input[range] }

  /// Number of groups including group 0 (the whole match).
  public var count: Int { slots.count / 2 }

  /// Group names in the pattern, for callers that list what a pattern extracts.
  public var names: [String] { captureNames.keys.sorted() }

  /// Range of group `index` (0 is the whole match), nil if out of range or unset.
  public func range(at index: Int) -> Range<String.Index>? {
    guard index >= 0, index < count else { return nil }
    let start = slots[2 * index]
    let end = slots[2 * index + 1]
    guard start >= 0, end >= start else { return nil }
    let utf8 = input.utf8
    return utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)
  }

  /// Group `index` (0 is the whole match), nil if out of range or unset.
  public subscript(index: Int) -> Substring? {
    range(at: index).map { input[$0] }
  }

  /// Named group, as in `(?<v>…)` or `(?P<v>…)`; nil if no such name or unset.
  public subscript(name: String) -> Substring? {
    captureNames[name].flatMap { self[$0] }
  }
}
