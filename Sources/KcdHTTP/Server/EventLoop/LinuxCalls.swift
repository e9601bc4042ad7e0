#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The Linux calls the event loop needs that Swift's Glibc module does not export (sys/epoll.h,
/// sys/eventfd.h and the GNU `accept4`/`pthread_setname_np`). They are looked up once with
/// `dlsym` and called through `@convention(c)` pointers, so the C calling convention holds
/// without a C shim target. nil when any is missing: the server then keeps its threaded engine.
struct LinuxCalls: @unchecked Sendable {
  typealias EpollCreate1 = @convention(c) (Int32) -> Int32
  typealias EpollControl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
  typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
  typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
  typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32
  typealias SetThreadName = @convention(c) (pthread_t, UnsafePointer<CChar>?) -> Int32

  let epollCreate1: EpollCreate1
  let epollControl: EpollControl
  let epollWait: EpollWait
  let eventFD: EventFD
  let accept4: Accept4
  let setThreadName: SetThreadName?

  static let shared: LinuxCalls? = {
    func find<T>(_ name: String, as type: T.Type) -> T? {
      // RTLD_DEFAULT is the null handle in glibc: search the process's global symbols.
      guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
      return unsafeBitCast(symbol, to: type)
    }
    guard let create = find("epoll_create1", as: EpollCreate1.self),
      let control = find("epoll_ctl", as: EpollControl.self),
      let wait = find("epoll_wait", as: EpollWait.self),
      let eventFD = find("eventfd", as: EventFD.self),
      let accept4 = find("accept4", as: Accept4.self)
    else { return nil }
    return LinuxCalls(epollCreate1: create, epollControl: control, epollWait: wait, eventFD: eventFD, accept4: accept4,
                      setThreadName: find("pthread_setname_np", as: SetThreadName.self))
  }()

  /// Names the calling thread (15 bytes at most) so `top -H` and tests can tell the server's
  /// threads apart.
  func nameCurrentThread(_ name: String) {
    guard let setThreadName else { return }
    _ = String(decoding: name.utf8.prefix(15), as: UTF8.self).withCString { setThreadName(pthread_self(), $0) }
  }
}
