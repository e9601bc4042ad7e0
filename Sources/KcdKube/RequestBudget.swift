import KcdCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How much a request matters when the API budget is short. The critical path (recording an
/// event, the status write that starts a rollout, the workload patch) never queues behind
/// tracking writes or Events.
public enum RequestPriority: Int, Sendable, Comparable {
  case critical = 0
  case normal = 1
  case background = 2

  public static func < (a: RequestPriority, b: RequestPriority) -> Bool { a.rawValue < b.rawValue }
}

/// The client-side API budget: a token bucket whose rate is a ceiling (`--kube-qps`,
/// `--kube-burst`), lowered when the server pushes back (429, or 5xx with Retry-After: the rate
/// halves, down to a tenth of the ceiling, and Events pause for Retry-After) and raised again as
/// requests succeed. While a critical request waits for a token, nothing else takes one; Events
/// also leave the last token to others (unless the burst is a single token).
public final class RequestBudget: Sendable {
  struct State {
    var tokens: Double
    var last: Double
    var rate: Double
    var pausedUntil: Double = 0
    var criticalWaiting = 0
    var pushbacks: UInt64 = 0
  }

  /// The ceiling; 0 disables the bucket (pushback pauses still apply).
  public let ceiling: Double
  let burst: Double
  let state: Mutex<State>
  let clock: @Sendable () -> Double
  /// Told the new rate whenever it changes (a gauge).
  let onRateChange: @Sendable (Double) -> Void

  public init(qps: Double, burst: Int, clock: @escaping @Sendable () -> Double = monotonicSeconds,
              onRateChange: @escaping @Sendable (Double) -> Void = { _ in }) {
    ceiling = max(0, qps)
    self.burst = Double(max(1, burst))
    self.clock = clock
    self.onRateChange = onRateChange
    onRateChange(ceiling)
    state = Mutex(State(tokens: Double(max(1, burst)), last: clock(), rate: max(0, qps)))
  }

  /// Takes a token now (returns 0) or says how long to wait before asking again.
  public func tryAcquire(_ p: RequestPriority) -> Double {
    state.withLock { s in
      let now = clock()
      if p == .background && s.pausedUntil > now { return s.pausedUntil - now }
      guard ceiling > 0 else { return 0 }
      s.tokens = min(burst, s.tokens + (now - s.last) * s.rate)
      s.last = now
      if p != .critical && s.criticalWaiting > 0 { return 0.005 }
      let need: Double = p == .background ? min(2, burst) : 1
      if s.tokens >= need { s.tokens -= 1; return 0 }
      return max(0.001, (need - s.tokens) / max(s.rate, 0.1))
    }
  }

  /// Blocks until a token is free; throws (with how long to wait) when that would pass the
  /// monotonic `deadline`.
  public func acquire(_ p: RequestPriority, deadline: Double? = nil) throws(KubeError) {
    var counted = false
    defer { if counted { state.withLock { $0.criticalWaiting -= 1 } } }
    while true {
      let wait = tryAcquire(p)
      if wait <= 0 { return }
      if let deadline, clock() + wait > deadline {
        throw KubeError(status: 429, reason: "TooManyRequests", message: "the Kubernetes API budget is exhausted; retry later", retryAfterSeconds: wait)
      }
      if p == .critical && !counted {
        counted = true
        state.withLock { $0.criticalWaiting += 1 }
      }
      usleep(UInt32(min(wait, 0.25) * 1_000_000))
    }
  }

  /// The server pushed back: halve the rate (not below a tenth of the ceiling, or 1 qps when
  /// that is lower than half the ceiling), spend the saved-up burst, and pause Events for
  /// `retryAfter`. The rate never rises above the ceiling here.
  public func pushback(retryAfter: Double) {
    let rate = state.withLock { s -> Double in
      let now = clock()
      s.pausedUntil = max(s.pausedUntil, now + min(max(retryAfter, 0), 60))
      if ceiling > 0 {
        s.rate = max(RequestBudget.floor(ceiling), s.rate / 2)
        s.tokens = min(s.tokens, 1)
        s.last = now
      }
      s.pushbacks += 1
      return s.rate
    }
    onRateChange(rate)
  }

  /// The lowest rate pushback brings a ceiling to.
  static func floor(_ ceiling: Double) -> Double { min(max(1, ceiling / 10), ceiling / 2) }

  /// A request went through: creep back towards the ceiling.
  public func succeeded() {
    guard ceiling > 0 else { return }
    let raised = state.withLock { s -> Double? in
      guard s.rate < ceiling else { return nil }
      s.rate = min(ceiling, s.rate + max(0.5, ceiling / 200))
      return s.rate
    }
    if let raised { onRateChange(raised) }
  }

  /// The rate allowed now (requests per second), for metrics and tests.
  public var currentRate: Double { state.withLock { $0.rate } }
  public var pushbacks: UInt64 { state.withLock { $0.pushbacks } }
}
