import KcdCore
import KcdHooks

/// What the hooks listener asks of the KCD cache before it answers.
public struct HooksReadiness: Sendable {
  /// The cache has been filled once (before that, every hook answers 503).
  public var synced: @Sendable () -> Bool
  /// The cache is known to be current (else "no KCD follows" becomes a 503: retry).
  public var current: @Sendable () -> Bool

  public init(synced: @escaping @Sendable () -> Bool = { true }, current: @escaping @Sendable () -> Bool = { true }) {
    self.synced = synced
    self.current = current
  }
}

/// Hook sources built from their secret lines, kept until the lines change (building a source
/// parses keys; a webhook should only verify).
final class SourceCache: Sendable {
  struct Entry: Sendable {
    var lines: [String]
    var source: (any HookSource)?
  }

  let entries = ReadWriteLock<[String: Entry]>([:])

  func source(_ name: String, lines: [String], make: (String, [String]) throws(HookRejection) -> (any HookSource)?) throws(HookRejection) -> (any HookSource)? {
    if let e = entries.read({ $0[name] }), e.lines == lines { return e.source }
    let made = try make(name, lines)
    entries.write { $0[name] = Entry(lines: lines, source: made) }
    return made
  }
}
