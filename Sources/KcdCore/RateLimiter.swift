import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Client-side token bucket shared by kcd's clients (`--kube-qps`/`--kube-burst` for the
/// Kubernetes API, one bucket per registry host for registries): every request takes a token;
/// callers block until one is free. qps ≤ 0 disables it.
public final class RateLimiter: Sendable {
  struct State {
    var tokens: Double
    var last: Double
  }
  public let qps: Double
  let burst: Double
  let state: Mutex<State>

  public init(qps: Double, burst: Int) {
    self.qps = qps
    self.burst = Double(max(1, burst))
    self.state = Mutex(State(tokens: Double(max(1, burst)), last: monotonicSeconds()))
  }

  /// Takes a token, sleeping until one is free.
  public func acquire() {
    while true {
      let wait = tryAcquire()
      if wait <= 0 { return }
      usleep(UInt32(min(wait, 1) * 1_000_000))
    }
  }

  /// Takes a token if one is free (returns 0); otherwise takes nothing and returns how many
  /// seconds until one will be, for callers that must not block.
  public func tryAcquire() -> Double {
    guard qps > 0 else { return 0 }
    return state.withLock { s in
      let now = monotonicSeconds()
      s.tokens = min(burst, s.tokens + (now - s.last) * qps)
      s.last = now
      if s.tokens >= 1 { s.tokens -= 1; return 0 }
      return (1 - s.tokens) / qps
    }
  }
}
