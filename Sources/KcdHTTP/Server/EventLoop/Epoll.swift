#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One epoll instance. Interest is level-triggered and, for connections, one-shot: an event
/// disarms the connection, so whoever handles it owns it until it is armed again.
struct Epoll: Sendable {
  static let readable: UInt32 = 0x001  // EPOLLIN
  static let writable: UInt32 = 0x004  // EPOLLOUT
  static let exclusive: UInt32 = 1 << 28  // EPOLLEXCLUSIVE: one waiter per new connection, no herd
  static let oneShot: UInt32 = 1 << 30  // EPOLLONESHOT

  static let add: Int32 = 1, delete: Int32 = 2, modify: Int32 = 3

  // struct epoll_event is packed on x86-64 (12 bytes), naturally aligned elsewhere (16).
  #if arch(x86_64) || arch(i386)
  static let eventStride = 12
  static let dataOffset = 4
  #else
  static let eventStride = 16
  static let dataOffset = 8
  #endif

  let fd: Int32
  let calls: LinuxCalls

  init(calls: LinuxCalls) throws(SocketError) {
    let fd = calls.epollCreate1(O_CLOEXEC)
    guard fd >= 0 else { throw .system("epoll_create1", errno) }
    self.fd = fd
    self.calls = calls
  }

  /// Returns errno on failure, 0 on success.
  @discardableResult
  func control(_ operation: Int32, _ target: Int32, events: UInt32, data: UInt64) -> Int32 {
    withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { raw in
      raw.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
      raw.storeBytes(of: data, toByteOffset: Epoll.dataOffset, as: UInt64.self)
      return calls.epollControl(fd, operation, target, raw.baseAddress) == 0 ? 0 : errno
    }
  }

  /// Waits for events into `events`; returns how many arrived (0 on timeout or EINTR).
  func wait(into events: EpollEvents, timeoutMilliseconds: Int32) -> Int {
    let n = calls.epollWait(fd, events.storage.baseAddress, Int32(events.capacity), timeoutMilliseconds)
    return n < 0 ? 0 : Int(n)
  }

  func close() { _ = Glibc.close(fd) }
}

/// A reusable array of `struct epoll_event` that the kernel fills.
struct EpollEvents: @unchecked Sendable {
  let storage: UnsafeMutableRawBufferPointer
  let capacity: Int

  init(capacity: Int) {
    self.capacity = capacity
    storage = .allocate(byteCount: capacity * Epoll.eventStride, alignment: 8)
  }

  func deallocate() { storage.deallocate() }

  subscript(i: Int) -> (events: UInt32, data: UInt64) {
    let base = i * Epoll.eventStride
    return (storage.loadUnaligned(fromByteOffset: base, as: UInt32.self),
            storage.loadUnaligned(fromByteOffset: base + Epoll.dataOffset, as: UInt64.self))
  }
}
