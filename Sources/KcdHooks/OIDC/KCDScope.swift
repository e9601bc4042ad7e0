/// The KCDs an identity may roll out: entries of a namespace glob and a KCD name glob. An event
/// carrying a scope reaches only the KCDs it allows.
public struct KCDScope: Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    public let namespace: ValueMatcher
    public let name: ValueMatcher
    public init(namespace: ValueMatcher, name: ValueMatcher) {
      self.namespace = namespace
      self.name = name
    }
  }

  public let entries: [Entry]

  public init(entries: [Entry]) { self.entries = entries }

  public func allows(namespace: String, name: String) -> Bool {
    entries.contains { $0.namespace.matches(namespace) && $0.name.matches(name) }
  }

  /// `namespace/name`; anything else is not allowed.
  public func allows(key: String) -> Bool {
    let parts = key.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2 else { return false }
    return allows(namespace: String(parts[0]), name: String(parts[1]))
  }
}
