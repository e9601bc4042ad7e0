#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An eventfd registered in a loop's epoll set: other threads write to it to wake the loop
/// (a connection handed back by a worker, a new connection to adopt, shutdown).
struct Wakeup: Sendable {
  let fd: Int32

  init(calls: LinuxCalls) throws(SocketError) {
    let fd = calls.eventFD(0, O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw .system("eventfd", errno) }
    self.fd = fd
  }

  func signal() {
    var one: UInt64 = 1
    _ = write(fd, &one, 8)
  }

  /// Resets the counter so the (level-triggered) fd stops reporting readable.
  func drain() {
    var value: UInt64 = 0
    _ = read(fd, &value, 8)
  }

  func close() { _ = Glibc.close(fd) }
}
