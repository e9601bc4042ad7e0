import KcdCore
import Synchronization

/// Slow work done off the reconcile workers (registry look-ups, verifications) on a
/// `HostLimitedPool`, with the answers kept until the machine reads them: one run per id at a
/// time, answers forgotten after `ttl(answer)` seconds so the next look is a new attempt.
final class BackgroundAnswers<Answer: Sendable>: Sendable {
  struct State {
    var inFlight: Set<String> = []
    var answers: [String: (Answer, Double)] = [:]
  }

  let pool: HostLimitedPool
  let state = Mutex(State())
  let clock: @Sendable () -> Double
  let ttl: @Sendable (Answer) -> Double

  init(threads: Int, perHost: Int, clock: @escaping @Sendable () -> Double, ttl: @escaping @Sendable (Answer) -> Double) {
    pool = HostLimitedPool(threads: threads, perHost: perHost)
    self.clock = clock
    self.ttl = ttl
  }

  /// The answer for `id`, if there is one still fresh.
  func answer(_ id: String) -> Answer? {
    let now = clock()
    return state.withLock { s in
      guard let (answer, at) = s.answers[id] else { return nil }
      if now - at > ttl(answer) { s.answers[id] = nil; return nil }
      return answer
    }
  }

  /// Runs `work` for `id` on the pool unless a run for it is queued or running; `done` is
  /// called once its answer is in.
  func submit(_ id: String, host: String, done: @escaping @Sendable () -> Void, _ work: @escaping @Sendable () -> Answer) {
    let added = state.withLock { s -> Bool in
      if s.inFlight.contains(id) { return false }
      s.inFlight.insert(id)
      // Answers nobody read for a long time go.
      if s.answers.count > 4096 {
        let now = clock()
        s.answers = s.answers.filter { now - $0.value.1 < ttl($0.value.0) }
      }
      return true
    }
    guard added else { return }
    let submitted = pool.submit(host: host) { [self] in
      let answer = work()
      state.withLock { s in
        s.inFlight.remove(id)
        s.answers[id] = (answer, clock())
      }
      done()
    }
    if !submitted { _ = state.withLock { $0.inFlight.remove(id) } }
  }

  func stop(waiting: Bool = true) { pool.stop(waiting: waiting) }
}
