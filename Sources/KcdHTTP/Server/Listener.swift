#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A bound, listening TCP socket.
struct Listener: Sendable {
  let fd: Int32
  let port: Int

  static func parse(address: String) throws(SocketError) -> (host: String, port: UInt16) {
    var host: Substring
    let portText: Substring
    if address.hasPrefix("[") {
      guard let close = address.firstIndex(of: "]") else { throw .system("invalid address \(address)", EINVAL) }
      host = address[address.index(after: address.startIndex)..<close]
      let rest = address[address.index(after: close)...]
      guard rest.hasPrefix(":") else { throw .system("invalid address \(address)", EINVAL) }
      portText = rest.dropFirst()
    } else {
      guard let colon = address.lastIndex(of: ":") else { throw .system("invalid address \(address): want host:port", EINVAL) }
      host = address[..<colon]
      portText = address[address.index(after: colon)...]
    }
    guard let port = UInt16(portText) else { throw .system("invalid port in \(address)", EINVAL) }
    if host == "localhost" { host = "127.0.0.1" }
    return (String(host), port)
  }

  static func open(address: String, backlog: Int32 = 1024) throws(SocketError) -> Listener {
    let (host, port) = try parse(address: address)
    let v6 = host.contains(":")
    let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw .system("socket", errno) }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var rc: Int32
    if v6 {
      var addr = sockaddr_in6()
      addr.sin6_family = sa_family_t(AF_INET6)
      addr.sin6_port = port.bigEndian
      if !host.isEmpty, inet_pton(AF_INET6, host, &addr.sin6_addr) != 1 { close(fd); throw .system("invalid IPv6 address \(host)", EINVAL) }
      rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
    } else {
      var addr = sockaddr_in()
      addr.sin_family = sa_family_t(AF_INET)
      addr.sin_port = port.bigEndian
      if host.isEmpty || host == "0.0.0.0" {
        addr.sin_addr.s_addr = 0
      } else if inet_pton(AF_INET, host, &addr.sin_addr) != 1 {
        close(fd)
        throw .system("invalid IPv4 address \(host)", EINVAL)
      }
      rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    }
    guard rc == 0 else { let e = errno; close(fd); throw .system("bind \(address)", e) }
    guard listen(fd, backlog) == 0 else { let e = errno; close(fd); throw .system("listen", e) }
    return Listener(fd: fd, port: boundPort(fd))
  }

  static func boundPort(_ fd: Int32) -> Int {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    if storage.ss_family == sa_family_t(AF_INET6) {
      return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
    }
    return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
  }

  /// Blocks for the next connection; nil once the listener has been shut down.
  func accept() -> (fd: Int32, peer: String)? {
    while true {
      var storage = sockaddr_storage()
      var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
      let c = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(fd, $0, &length) } }
      if c >= 0 {
        _ = fcntl(c, F_SETFD, FD_CLOEXEC)
        return (c, Listener.describe(&storage))
      }
      switch errno {
      case EINTR, ECONNABORTED, EPROTO: continue
      case EMFILE, ENFILE, ENOBUFS, ENOMEM:
        usleep(10_000)  // out of descriptors: back off instead of spinning
        continue
      default: return nil
      }
    }
  }

  static func describe(_ storage: inout sockaddr_storage) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    if storage.ss_family == sa_family_t(AF_INET) {
      return withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
          var a = p.pointee.sin_addr
          inet_ntop(AF_INET, &a, &buffer, 64)
          return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + ":\(UInt16(bigEndian: p.pointee.sin_port))"
        }
      }
    }
    return "ipv6"
  }

  func shutdownAndClose() {
    Glibc.shutdown(fd, Int32(SHUT_RDWR))
    close(fd)
  }
}
