import KcdKube
import Synchronization
import Testing

/// The API budget with an injected clock: priorities, pushback (pause and halve), recovery,
/// deadlines.
@Suite struct RequestBudgetTests {
  final class Clock: Sendable {
    let now = Mutex(100.0)
    func advance(_ s: Double) { now.withLock { $0 += s } }
    var read: @Sendable () -> Double { { [self] in now.withLock { $0 } } }
  }

  @Test("a full bucket serves every priority; an emptied one keeps a reserve for the critical path")
  func reserve() {
    let clock = Clock()
    let budget = RequestBudget(qps: 10, burst: 20, clock: clock.read)
    // Background stops while a quarter of the burst is left, normal at a tenth, critical at zero.
    var background = 0
    while budget.tryAcquire(.background) == 0 { background += 1 }
    #expect(background == 15)
    var normal = 0
    while budget.tryAcquire(.normal) == 0 { normal += 1 }
    #expect(normal == 3)
    var critical = 0
    while budget.tryAcquire(.critical) == 0 { critical += 1 }
    #expect(critical == 2)
    #expect(budget.tryAcquire(.critical) > 0)
  }

  @Test("pushback pauses every priority for Retry-After and halves the rate; successes bring it back")
  func pushback() {
    let clock = Clock()
    let budget = RequestBudget(qps: 100, burst: 200, clock: clock.read)
    budget.pushback(retryAfter: 2)
    #expect(budget.currentRate == 50)
    #expect(budget.tryAcquire(.critical) > 1.9, "the server said wait two seconds")
    budget.pushback(retryAfter: 1)
    #expect(budget.currentRate == 25)
    clock.advance(2.1)
    #expect(budget.tryAcquire(.critical) == 0)
    for _ in 0..<200 { budget.succeeded() }
    #expect(budget.currentRate == 100, "back at the ceiling, never above")
    #expect(budget.pushbacks == 2)
  }

  @Test("a wait past the deadline is refused at once, with how long to wait")
  func deadline() throws {
    let clock = Clock()
    let budget = RequestBudget(qps: 100, burst: 200, clock: clock.read)
    budget.pushback(retryAfter: 30)
    do {
      try budget.acquire(.critical, deadline: 105)
      Issue.record("should have been refused")
    } catch {
      #expect(error.status == 429)
      #expect((error.retryAfterSeconds ?? 0) > 29)
    }
  }

  @Test("qps 0 turns the bucket off but a pushback still pauses")
  func disabled() {
    let clock = Clock()
    let budget = RequestBudget(qps: 0, burst: 1, clock: clock.read)
    for _ in 0..<1000 { #expect(budget.tryAcquire(.background) == 0) }
    budget.pushback(retryAfter: 1)
    #expect(budget.tryAcquire(.critical) > 0)
    clock.advance(1.01)
    #expect(budget.tryAcquire(.critical) == 0)
  }
}
