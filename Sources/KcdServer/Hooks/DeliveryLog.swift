import KcdCore
import Synchronization

/// The hooks listener's last answers (when, which source, which status), for the dashboard:
/// no body, header or token is kept. A fixed ring: recording costs a lock and a store.
public final class DeliveryLog: Sendable {
  public struct Entry: Sendable, Equatable {
    public var at: Double
    public var source: String
    public var status: Int
  }

  struct Ring {
    var entries: [Entry] = []
    var next = 0
  }

  let capacity: Int
  let ring = Mutex(Ring())

  public init(capacity: Int = 50) { self.capacity = max(1, capacity) }

  public func record(source: String, status: Int, at: Double = Timestamps.now()) {
    let entry = Entry(at: at, source: source, status: status)
    ring.withLock { r in
      if r.entries.count < capacity {
        r.entries.append(entry)
      } else {
        r.entries[r.next] = entry
      }
      r.next = (r.next + 1) % capacity
    }
  }

  /// Newest first.
  public var recent: [Entry] {
    ring.withLock { r in
      guard r.entries.count == capacity else { return r.entries.reversed() }
      return Array((r.entries[r.next...] + r.entries[..<r.next]).reversed())
    }
  }
}
