import Synchronization

/// Tokens already used, each until it expires, so an ID token opens kcd's door once. Memory is
/// bounded (about 100 bytes an entry): expired entries are dropped, and when `capacity` live entries are held kcd refuses
/// new tokens (the caller answers 503) rather than forget one that could then be replayed.
public final class ReplayMemory: Sendable {
  public enum Outcome: Sendable, Equatable {
    case fresh
    case replayed
    case full
  }

  public let capacity: Int
  let entries = Mutex<State>(State())

  struct State {
    var until: [String: Double] = [:]
    var insertsSinceSweep = 0
  }

  public init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

  /// Remembers `key` until `expiresAt` (plus the tolerance a token is accepted for after its
  /// `exp`) unless it is remembered already.
  public func use(_ key: String, expiresAt: Double, now: Double) -> Outcome {
    entries.withLock { state in
      if let until = state.until[key], until >= now { return .replayed }
      state.insertsSinceSweep += 1
      if state.until.count >= capacity || state.insertsSinceSweep >= 1024 {
        state.until = state.until.filter { $0.value >= now }
        state.insertsSinceSweep = 0
      }
      guard state.until.count < capacity else { return .full }
      state.until[key] = expiresAt + TokenTimes.skew
      return .fresh
    }
  }

  /// Forgets `key` (its use did not count: kcd answered "retry later" and recorded nothing).
  public func release(_ key: String) {
    _ = entries.withLock { $0.until.removeValue(forKey: key) }
  }

  public var count: Int { entries.withLock { $0.until.count } }
}
