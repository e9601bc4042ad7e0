#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// State read on every request and written rarely (caches, indexes, secrets): readers share the
/// lock and never wait for each other, only for a writer. `Mutex` would make concurrent
/// webhook threads queue behind one another on every lookup.
public final class ReadWriteLock<State>: @unchecked Sendable {
  private var lock = pthread_rwlock_t()
  private var state: State

  public init(_ state: State) {
    self.state = state
    var attributes = pthread_rwlockattr_t()
    pthread_rwlockattr_init(&attributes)
    // Writers first: a steady stream of readers must not starve the informer's updates.
    pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
    pthread_rwlock_init(&lock, &attributes)
    pthread_rwlockattr_destroy(&attributes)
  }

  deinit { pthread_rwlock_destroy(&lock) }

  public func read<T>(_ body: (State) throws -> T) rethrows -> T {
    pthread_rwlock_rdlock(&lock)
    defer { pthread_rwlock_unlock(&lock) }
    return try body(state)
  }

  public func write<T>(_ body: (inout State) throws -> T) rethrows -> T {
    pthread_rwlock_wrlock(&lock)
    defer { pthread_rwlock_unlock(&lock) }
    return try body(&state)
  }
}
