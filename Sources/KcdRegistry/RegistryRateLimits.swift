import KcdCore
import Synchronization

/// One token bucket per registry host, made on first use, so a slow poll of one registry
/// never eats into another's budget (Docker Hub's limits are per client address, others per
/// account or per host).
final class RegistryRateLimits: Sendable {
  let requestsPerSecond: Double
  let burst: Int
  let limiters = Mutex<[String: RateLimiter]>([:])

  init(requestsPerSecond: Double, burst: Int) {
    self.requestsPerSecond = requestsPerSecond
    self.burst = burst
  }

  func limiter(for host: String) -> RateLimiter {
    limiters.withLock { all in
      if let l = all[host] { return l }
      let l = RateLimiter(qps: requestsPerSecond, burst: burst)
      all[host] = l
      return l
    }
  }

  /// Blocks until the host's bucket has a token.
  func acquire(_ host: String) { limiter(for: host).acquire() }
}
