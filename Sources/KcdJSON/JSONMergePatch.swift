/// JSON merge patch (RFC 7386) construction.
extension JSON {
  /// The merge patch that turns `old` into `new`: `new` itself, with every object key `old`
  /// has and `new` lacks set to null, at every depth (a merge patch merges nested objects, so
  /// a key left out would survive). Arrays and scalars are replaced whole.
  public static func mergePatch(from old: JSON, to new: JSON) -> JSON {
    guard case .object(let before) = old, case .object(var after) = new else { return new }
    for (key, value) in before where !value.isNull {
      if let next = after[key], !next.isNull {
        after[key] = mergePatch(from: value, to: next)
      } else {
        after[key] = .null
      }
    }
    return .object(after)
  }
}
