/// One step from a JSON value to a member or element, so a lenient parse can say which item of
/// a page it had to cut (`[.key("items"), .index(3)]`) and the caller can find and report it.
public enum JSONPathComponent: Hashable, Sendable, CustomStringConvertible {
  case key(String)
  case index(Int)

  /// `.name` or `[3]`, so a joined path reads like `.items[3]` in log lines.
  public var description: String {
    switch self {
    case .key(let key): return "." + key
    case .index(let index): return "[\(index)]"
    }
  }
}

extension JSON {
  /// Follows `path`; `.null` when any step is missing or has the wrong kind, like the other subscripts.
  public func value(at path: [JSONPathComponent]) -> JSON {
    var node = self
    for component in path {
      switch component {
      case .key(let key): node = node[key]
      case .index(let index): node = node[index]
      }
    }
    return node
  }
}
