import KcdCore
import KcdHooks

/// Remembers version-looking tags pushed for each digest, so a later push of the same digest
/// under a pointer tag (`prod`) rolls out as `repo:<version>@digest` rather than a bare digest —
/// the usual CI flow pushes `3ae8d1b` then moves `prod`. Bounded; lost on restart (then the
/// version falls back to a registry look-up or the short digest).
public final class VersionTagMemory: Sendable {
  struct Entry {
    var tag: String
    var order: UInt64
  }

  let entries = ReadWriteLock<(map: [String: Entry], counter: UInt64)>(([:], 0))
  let capacity: Int
  let isVersion: @Sendable (String) -> Bool

  public init(capacity: Int = 4096, isVersion: @escaping @Sendable (String) -> Bool = VersionTagMemory.defaultSyntax) {
    self.capacity = capacity
    self.isVersion = isVersion
  }

  /// KCD's default versionSyntax, `[0-9a-f]{5,40}`, anchored.
  public static let defaultSyntax: @Sendable (String) -> Bool = { tag in
    let b = Array(tag.utf8)
    return (5...40).contains(b.count) && b.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
  }

  public func observe(_ event: ImageEvent) {
    guard event.action == .push, let digest = event.digest, let tag = event.tag, isVersion(tag) else { return }
    entries.write { e in
      e.counter += 1
      e.map["\(event.repository)@\(digest)"] = Entry(tag: tag, order: e.counter)
      if e.map.count > capacity {
        let oldest = e.map.min { $0.value.order < $1.value.order }!.key
        e.map[oldest] = nil
      }
    }
  }

  public func version(repository: String, digest: String) -> String? {
    entries.read { $0.map["\(repository)@\(digest)"]?.tag }
  }
}
