import KcdCore
import KcdKube
import Synchronization
import Testing

/// The API budget with an injected clock: priorities, pushback (halve, pause Events), recovery,
/// deadlines.
@Suite struct RequestBudgetTests {
  final class Clock: Sendable {
    let now = Mutex(100.0)
    func advance(_ s: Double) { now.withLock { $0 += s } }
    var read: @Sendable () -> Double { { [self] in now.withLock { $0 } } }
  }

  @Test("the burst serves every priority; Events leave the last token to the others")
  func priorities() {
    let clock = Clock()
    let budget = RequestBudget(qps: 10, burst: 20, clock: clock.read)
    var background = 0
    while budget.tryAcquire(.background) == 0 { background += 1 }
    #expect(background == 19)
    #expect(budget.tryAcquire(.normal) == 0)
    #expect(budget.tryAcquire(.critical) > 0, "empty")
    clock.advance(0.15)
    #expect(budget.tryAcquire(.critical) == 0, "one token a tenth of a second at 10 qps")
  }

  @Test("while a critical request waits, no other priority takes a token")
  func criticalFirst() throws {
    let clock = Clock()
    let budget = RequestBudget(qps: 10, burst: 1, clock: clock.read)
    #expect(budget.tryAcquire(.critical) == 0)
    let waiting = Atomic<Bool>(false)
    let done = Atomic<Bool>(false)
    Threads.spawn {
      waiting.store(true, ordering: .relaxed)
      try? budget.acquire(.critical, deadline: nil)
      done.store(true, ordering: .relaxed)
    }
    while !waiting.load(ordering: .relaxed) {}
    usleep_ms(50)
    clock.advance(0.15)
    #expect(budget.tryAcquire(.normal) > 0, "the token is the critical request's")
    for _ in 0..<200 where !done.load(ordering: .relaxed) { usleep_ms(10) }
    let finished = done.load(ordering: .relaxed)
    #expect(finished)
  }

  @Test("pushback halves the rate down to a tenth of the ceiling and pauses Events; successes bring it back")
  func pushback() {
    let clock = Clock()
    let budget = RequestBudget(qps: 100, burst: 200, clock: clock.read)
    budget.pushback(retryAfter: 2)
    #expect(budget.currentRate == 50)
    #expect(budget.tryAcquire(.background) > 1.9, "the server said wait two seconds")
    #expect(budget.tryAcquire(.critical) == 0, "the critical path goes on, at the lower rate")
    #expect(budget.tryAcquire(.normal) > 0, "the saved-up burst is gone")
    for _ in 0..<5 { budget.pushback(retryAfter: 1) }
    #expect(budget.currentRate == 10, "never below a tenth of the ceiling")
    clock.advance(2.5)
    #expect(budget.tryAcquire(.background) == 0)
    for _ in 0..<200 { budget.succeeded() }
    #expect(budget.currentRate == 100, "back at the ceiling, never above")
    #expect(budget.pushbacks == 6)
  }

  @Test("a ceiling below 1 qps is never raised by pushback; a burst of one token still serves Events")
  func smallCeilings() {
    let clock = Clock()
    let slow = RequestBudget(qps: 0.5, burst: 5, clock: clock.read)
    for _ in 0..<5 { slow.pushback(retryAfter: 0) }
    #expect(slow.currentRate == 0.25, "halved once, never lifted to 1 qps above its 0.5 ceiling")
    let one = RequestBudget(qps: 10, burst: 1, clock: clock.read)
    #expect(one.tryAcquire(.background) == 0, "with one token in all, Events cannot leave one to others")
    #expect(one.tryAcquire(.background) > 0)
    clock.advance(0.11)
    #expect(one.tryAcquire(.background) == 0, "and keep flowing at the rate")
  }

  @Test("a wait past the deadline is refused at once, with how long to wait")
  func deadline() throws {
    let clock = Clock()
    let budget = RequestBudget(qps: 10, burst: 1, clock: clock.read)
    #expect(budget.tryAcquire(.critical) == 0)
    do {
      try budget.acquire(.critical, deadline: 100.01)
      Issue.record("should have been refused")
    } catch {
      #expect(error.status == 429)
      #expect((error.retryAfterSeconds ?? 0) > 0.05)
    }
  }

  @Test("qps 0 turns the bucket off but a pushback still pauses Events")
  func disabled() {
    let clock = Clock()
    let budget = RequestBudget(qps: 0, burst: 1, clock: clock.read)
    for _ in 0..<1000 { #expect(budget.tryAcquire(.background) == 0) }
    budget.pushback(retryAfter: 1)
    #expect(budget.tryAcquire(.background) > 0)
    #expect(budget.tryAcquire(.critical) == 0)
    clock.advance(1.01)
    #expect(budget.tryAcquire(.background) == 0)
  }
}

#if canImport(Glibc)
import Glibc
#endif

func usleep_ms(_ ms: Int) { usleep(UInt32(ms * 1000)) }

