@testable import KcdController
import KcdCore
import KcdTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `WorkQueue`: client-go's semantics, checked through the public API and, for backoff delays,
/// the queue's own bookkeeping (timing them would make the test slow or flaky).
@Suite(.timeLimit(.minutes(1)))
struct WorkQueueTests {
  @Test("a reconcile's schedule replaces the key's earlier wake-up; nil drops it; zero queues it now")
  func scheduleReplaces() {
    let q = WorkQueue()
    q.add("a", after: 5)
    q.schedule("a", after: 100)
    let at = q.state.withLock { $0.delayed["a"] } ?? 0
    #expect(at > monotonicSeconds() + 50, "the later time replaced the earlier one (add(after:) keeps the earlier)")
    q.schedule("a", after: nil)
    #expect(q.state.withLock { $0.delayed["a"] } == nil)
    #expect(q.depth == 0, "nothing is left to wake up for")
    q.add("b", after: 5)
    q.schedule("b", after: 0)
    #expect(q.state.withLock { $0.delayed["b"] } == nil)
    #expect(q.get() == "b")
  }

  @Test("keys come out in the order they went in")
  func fifo() {
    let q = WorkQueue()
    for k in ["a", "b", "c"] { q.add(k) }
    #expect(q.depth == 3)
    #expect([q.get(), q.get(), q.get()] == ["a", "b", "c"])
    #expect(q.depth == 0)
  }

  @Test("a key re-added while queued is queued once, in its first place (fair)")
  func collapse() {
    let q = WorkQueue()
    for k in ["a", "b", "a", "c", "a", "b"] { q.add(k) }
    #expect(q.depth == 3)
    #expect([q.get(), q.get(), q.get()] == ["a", "b", "c"])
    for k in ["a", "b", "c"] { q.done(k) }
    #expect(q.depth == 0, "done does not requeue a key that was not re-added")
  }

  @Test("a key added while it is processed comes back once, after done")
  func readdDuringProcessing() {
    let q = WorkQueue()
    q.add("a")
    #expect(q.get() == "a")
    q.add("a")
    q.add("a")
    #expect(q.depth == 0, "not handed out again while it is processed")
    q.add("b")
    #expect(q.get() == "b")
    q.done("a")
    #expect(q.depth == 1)
    #expect(q.get() == "a")
    q.done("a")
    q.done("b")
    #expect(q.depth == 0)
  }

  @Test("two workers never hold the same key at once, and the queue drains completely")
  func exclusive() {
    let q = WorkQueue()
    let holding = Mutex<Set<String>>([])
    let overlaps = Atomic<Int>(0)
    let handled = Mutex<[String: Int]>([:])
    let finished = Atomic<Int>(0)
    for _ in 0..<2 {
      Threads.spawn {
        while let key = q.get() {
          let fresh = holding.withLock { $0.insert(key).inserted }
          if !fresh { overlaps.wrappingAdd(1, ordering: .relaxed) }
          handled.withLock { $0[key, default: 0] += 1 }
          usleep(500)
          holding.withLock { _ = $0.remove(key) }
          q.done(key)
        }
        finished.wrappingAdd(1, ordering: .relaxed)
      }
    }
    for i in 0..<400 {
      q.add(i % 2 == 0 ? "k" : "j")
      if i % 20 == 0 { usleep(200) }
    }
    let idle = eventually(timeout: 20, interval: 0.01) {
      q.state.withLock { $0.queue.isEmpty && $0.processing.isEmpty && $0.dirtyWhileProcessing.isEmpty }
    }
    #expect(idle, "every add was handed out and done")
    q.shutDown()
    #expect(eventually(timeout: 10, interval: 0.01) { finished.load(ordering: .relaxed) == 2 })
    #expect(overlaps.load(ordering: .relaxed) == 0)
    let counts = handled.withLock { $0 }
    #expect(counts.keys.sorted() == ["j", "k"])
    #expect(counts.values.reduce(0, +) <= 400, "repeated adds collapse")
  }

  @Test("add(after:) hands the key out only when the delay has passed")
  func delayed() {
    let q = WorkQueue()
    let start = monotonicSeconds()
    q.add("d", after: 0.2)
    #expect(q.depth == 1, "delayed keys count in the depth")
    #expect(q.get() == "d")
    let elapsed = monotonicSeconds() - start
    #expect(elapsed >= 0.2)
    #expect(elapsed < 5)
  }

  @Test("a zero delay is an immediate add; an earlier delay replaces a later one")
  func delayRules() {
    let q = WorkQueue()
    q.add("now", after: 0)
    #expect(q.state.withLock { $0.queue } == ["now"])
    q.add("d", after: 600)
    q.add("d", after: 0.05)
    q.add("d", after: 900)
    let due = q.state.withLock { $0.delayed["d"] } ?? 0
    #expect(due - monotonicSeconds() <= 0.05)
    #expect(q.get() == "now")
    #expect(q.get() == "d")
  }

  /// The delay `addRateLimited` chose, bracketed by clock reads before and after the call: the
  /// true delay lies in `lower...upper`, so the check needs no timing tolerance.
  static func rateLimited(_ q: WorkQueue, _ key: String) -> (lower: Double, upper: Double) {
    let before = monotonicSeconds()
    q.addRateLimited(key)
    let after = monotonicSeconds()
    let due = q.state.withLock { $0.delayed[key] } ?? -1
    return (due - after - 1e-9, due - before + 1e-9)
  }

  @Test("addRateLimited doubles the delay per failure from 10 ms; forget starts over")
  func backoff() {
    let q = WorkQueue()
    for (failures, expected) in [(1, 0.01), (2, 0.02), (3, 0.04), (4, 0.08), (5, 0.16)] {
      let (lower, upper) = Self.rateLimited(q, "k")
      #expect(q.state.withLock { $0.failures["k"] } == failures)
      #expect(lower <= expected && expected <= upper, "failure \(failures): \(lower)...\(upper)")
      #expect(q.get() == "k")
      q.done("k")
    }
    q.forget("k")
    #expect(q.state.withLock { $0.failures["k"] } == nil)
    let (lower, upper) = Self.rateLimited(q, "k")
    #expect(lower <= 0.01 && 0.01 <= upper, "back to the first step: \(lower)...\(upper)")
    #expect(q.state.withLock { $0.failures["other"] } == nil, "failures are per key")
  }

  @Test("the backoff is capped at 1000 s")
  func backoffCap() {
    let q = WorkQueue()
    q.state.withLock { $0.failures["k"] = 40 }
    let (lower, upper) = Self.rateLimited(q, "k")
    #expect(lower <= 1000 && 1000 <= upper)
  }

  @Test("shutDown wakes a blocked get, which returns nil; later adds are ignored")
  func shutDown() {
    let q = WorkQueue()
    let result = Mutex<String??>(.none)
    Threads.spawn { let k = q.get(); result.withLock { $0 = .some(k) } }
    usleep(50_000)
    #expect(result.withLock { $0 } == .none, "get blocks on an empty queue")
    q.shutDown()
    #expect(eventually(timeout: 5, interval: 0.01) { result.withLock { $0 } != .none })
    #expect(result.withLock { $0 } == .some(nil))
    q.add("late")
    #expect(q.depth == 0)
    #expect(q.get() == nil)
  }
}
