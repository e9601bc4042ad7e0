#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Starts a detached OS thread for blocking work (sockets, libcurl) so it never occupies the
/// Swift concurrency pool.
public enum Threads {
  final class Box: @unchecked Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
  }

  /// Stack size of spawned threads: enough for the JSON and patch recursion depth limits.
  public static let stackSize = 1 << 20

  /// Returns false when no thread could be started (the body will not run).
  @discardableResult
  public static func spawn(_ body: @escaping @Sendable () -> Void) -> Bool {
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setstacksize(&attributes, stackSize)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    var thread = pthread_t()
    let rc = pthread_create(&thread, &attributes, { raw in
      let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
      box.body()
      return nil
    }, box)
    pthread_attr_destroy(&attributes)
    if rc != 0 {
      // Could not start a thread (resource limit): run nothing, release the box.
      Unmanaged<Box>.fromOpaque(box).release()
      return false
    }
    return true
  }
}

/// Monotonic seconds, for deadlines.
public func monotonicSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
