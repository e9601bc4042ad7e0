import KcdCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Client-side token bucket (`--kube-qps`, `--kube-burst`): every request takes a token;
/// callers block until one is free. qps ≤ 0 disables it.
public final class RateLimiter: Sendable {
  struct State {
    var tokens: Double
    var last: Double
  }
  let qps: Double
  let burst: Double
  let state: Mutex<State>

  public init(qps: Double, burst: Int) {
    self.qps = qps
    self.burst = Double(max(1, burst))
    self.state = Mutex(State(tokens: Double(max(1, burst)), last: monotonicSeconds()))
  }

  public func acquire() {
    guard qps > 0 else { return }
    while true {
      let wait: Double = state.withLock { s in
        let now = monotonicSeconds()
        s.tokens = min(burst, s.tokens + (now - s.last) * qps)
        s.last = now
        if s.tokens >= 1 { s.tokens -= 1; return 0 }
        return (1 - s.tokens) / qps
      }
      if wait <= 0 { return }
      usleep(UInt32(min(wait, 1) * 1_000_000))
    }
  }
}
