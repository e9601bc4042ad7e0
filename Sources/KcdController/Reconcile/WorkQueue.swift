import KcdCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// client-go's work queue semantics: fair, stingy (a key is never handled by two workers at
/// once; repeated adds collapse), re-adding during processing requeues after `done`, delayed
/// adds, and per-key exponential backoff (5 ms × 2^failures, capped at 1000 s).
public final class WorkQueue: Sendable {
  struct State {
    var queue: [String] = []
    var queued: Set<String> = []
    var processing: Set<String> = []
    var dirtyWhileProcessing: Set<String> = []
    var delayed: [String: Double] = [:]
    var failures: [String: Int] = [:]
    var shutDown = false
  }

  let state = Mutex(State())
  let signal = ChangeSignal()

  public init() {}

  public func add(_ key: String) {
    let added = state.withLock { s -> Bool in
      if s.shutDown { return false }
      if s.processing.contains(key) { s.dirtyWhileProcessing.insert(key); return false }
      if s.queued.contains(key) { return false }
      s.queued.insert(key)
      s.queue.append(key)
      return true
    }
    if added { signal.notify() }
  }

  public func add(_ key: String, after seconds: Double) {
    if seconds <= 0 { add(key); return }
    let at = monotonicSeconds() + seconds
    state.withLock { s in
      if let existing = s.delayed[key], existing <= at { return }
      s.delayed[key] = at
    }
    signal.notify()
  }

  /// A reconcile's own word on when to look at `key` again, replacing any wake-up set for it
  /// before (an earlier state's requeue, a retry that has since succeeded); nil: none, the key
  /// waits for news. Without this a rollout that finished left its last tracking wake-up
  /// behind, and after a burst of a thousand rollouts kcd kept waking up for nothing.
  public func schedule(_ key: String, after seconds: Double?) {
    guard let seconds, seconds > 0 else {
      state.withLock { _ = $0.delayed.removeValue(forKey: key) }
      if seconds != nil { add(key) }
      return
    }
    let at = monotonicSeconds() + seconds
    state.withLock { $0.delayed[key] = at }
    signal.notify()
  }

  public func addRateLimited(_ key: String) {
    let failures = state.withLock { s -> Int in
      s.failures[key, default: 0] += 1
      return s.failures[key]!
    }
    add(key, after: min(1000, 0.005 * Double(1 << min(failures, 20))))
  }

  public func forget(_ key: String) { state.withLock { _ = $0.failures.removeValue(forKey: key) } }

  public var depth: Int { state.withLock { $0.queue.count + $0.delayed.count } }

  public var isShutDown: Bool { state.withLock { $0.shutDown } }

  /// Blocks until a key is ready; nil after shutDown.
  public func get() -> String? {
    while true {
      let seen = signal.current
      let (key, wait): (String?, Double) = state.withLock { s in
        if s.shutDown { return (nil, -1) }
        let now = monotonicSeconds()
        for (k, at) in s.delayed where at <= now {
          s.delayed[k] = nil
          if s.processing.contains(k) { s.dirtyWhileProcessing.insert(k) } else if !s.queued.contains(k) { s.queued.insert(k); s.queue.append(k) }
        }
        if !s.queue.isEmpty {
          let k = s.queue.removeFirst()
          s.queued.remove(k)
          s.processing.insert(k)
          return (k, 0)
        }
        // Idle: sleep until the next delayed key (adds wake it at once).
        let next = s.delayed.values.min().map { $0 - now } ?? 60
        return (nil, max(0.001, min(next, 60)))
      }
      if let key { return key }
      if wait < 0 { return nil }
      _ = signal.wait(after: seen, timeout: wait)
    }
  }

  public func done(_ key: String) {
    let again = state.withLock { s -> Bool in
      s.processing.remove(key)
      if s.dirtyWhileProcessing.remove(key) != nil, !s.queued.contains(key) {
        s.queued.insert(key)
        s.queue.append(key)
        return true
      }
      return false
    }
    if again { signal.notify() }
  }

  public func shutDown() {
    state.withLock { $0.shutDown = true }
    signal.notify()
  }
}
