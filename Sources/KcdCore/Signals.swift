#if canImport(Glibc)
import Glibc
#endif

/// SIGINT/SIGTERM handling for long-running commands: block them before any thread starts
/// (threads inherit the mask), then wait for one on the main thread and shut down cleanly.
public enum Signals {
  static func set() -> sigset_t {
    var s = sigset_t()
    sigemptyset(&s)
    sigaddset(&s, SIGINT)
    sigaddset(&s, SIGTERM)
    return s
  }

  public static func blockTermination() {
    var s = set()
    pthread_sigmask(SIG_BLOCK, &s, nil)
    signal(SIGPIPE, SIG_IGN)
  }

  /// Blocks until SIGINT or SIGTERM arrives; returns the signal number.
  public static func waitForTermination() -> Int32 {
    var s = set()
    var received: Int32 = 0
    sigwait(&s, &received)
    return received
  }
}

/// Writing small files without Foundation.
public enum FileIO {
  public static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard fd >= 0 else { throw FileError("cannot write \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
      if n <= 0 { throw FileError("cannot write \(path): \(String(cString: strerror(errno)))") }
      offset += n
    }
  }

  public static func read(_ path: String, limit: Int = 16 << 20) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError("cannot read \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 65536) }
      if n < 0 { throw FileError("cannot read \(path): \(String(cString: strerror(errno)))") }
      if n == 0 { break }
      out.append(contentsOf: buffer[0..<n])
      if out.count > limit { throw FileError("\(path) is larger than \(limit) bytes") }
    }
    return out
  }
}

extension FileIO {
  public static func mkdir(_ path: String, mode: mode_t = 0o700) throws {
    if Glibc.mkdir(path, mode) != 0 && errno != EEXIST { throw FileError("cannot create \(path): \(String(cString: strerror(errno)))") }
  }

  public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  /// The folder part of a path ("." when there is none).
  public static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// A relative path taken against a folder (as kubeconfig paths are, against their file's folder).
  public static func resolve(_ path: String, relativeTo directory: String) -> String {
    path.hasPrefix("/") ? path : directory + "/" + path
  }
}

/// A file could not be read or written; the message names the path and the reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
