import CCurl
import Synchronization

/// Ends streaming transfers promptly without their waking to ask. A stream given one waits for
/// data (or for libcurl's own next deadline) however long that is, and `cancel()` wakes it with
/// `curl_multi_wakeup`, which libcurl allows from any thread; a stream without one wakes every
/// second to poll its `shouldStop`, so an idle watch costs a wake-up a second.
/// Cancelling is for good: a transfer started afterwards with the same object ends at once.
public final class TransferCancellation: Sendable {
  /// A `CURLM *` whose transfer is waiting in `curl_multi_poll`.
  struct Waiting: @unchecked Sendable {
    let multi: UnsafeMutableRawPointer
  }

  let state = Mutex<(cancelled: Bool, waiting: [Waiting])>((false, []))

  public init() {}

  public var isCancelled: Bool { state.withLock { $0.cancelled } }

  public func cancel() {
    state.withLock { s in
      s.cancelled = true
      for w in s.waiting { _ = curl_multi_wakeup(w.multi) }
    }
  }

  /// Registers a transfer's multi handle to be woken; false when already cancelled. The handle
  /// must be unregistered before it is cleaned up (the lock makes a wake-up and an unregister
  /// exclusive, so a freed handle is never woken).
  func register(_ multi: UnsafeMutableRawPointer) -> Bool {
    state.withLock { s in
      if s.cancelled { return false }
      s.waiting.append(Waiting(multi: multi))
      return true
    }
  }

  func unregister(_ multi: UnsafeMutableRawPointer) {
    state.withLock { s in s.waiting.removeAll { $0.multi == multi } }
  }
}
