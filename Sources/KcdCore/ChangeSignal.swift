#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A broadcast wake-up with a timeout: writers bump it, waiting threads sleep on it (watch
/// streams, work-queue workers) and wake at once or when their timeout passes.
public final class ChangeSignal: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  private var condition = pthread_cond_t()
  private var generation: UInt64 = 0

  public init() {
    pthread_mutex_init(&mutex, nil)
    var attributes = pthread_condattr_t()
    pthread_condattr_init(&attributes)
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
    pthread_cond_init(&condition, &attributes)
    pthread_condattr_destroy(&attributes)
  }

  deinit {
    pthread_cond_destroy(&condition)
    pthread_mutex_destroy(&mutex)
  }

  public var current: UInt64 {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return generation
  }

  public func notify() {
    pthread_mutex_lock(&mutex)
    generation &+= 1
    pthread_cond_broadcast(&condition)
    pthread_mutex_unlock(&mutex)
  }

  /// Waits until the generation moves past `seen` or `timeout` seconds pass; returns the generation.
  public func wait(after seen: UInt64, timeout: Double) -> UInt64 {
    var deadline = timespec()
    clock_gettime(CLOCK_MONOTONIC, &deadline)
    let nanos = Int(deadline.tv_nsec) + Int(timeout * 1e9)
    deadline.tv_sec += nanos / 1_000_000_000
    deadline.tv_nsec = nanos % 1_000_000_000
    pthread_mutex_lock(&mutex)
    while generation == seen {
      if pthread_cond_timedwait(&condition, &mutex, &deadline) == ETIMEDOUT { break }
    }
    let g = generation
    pthread_mutex_unlock(&mutex)
    return g
  }
}
