#if canImport(Glibc)
import Glibc
#endif

/// Where things are for tests: the built `kcd` binary, the repository, tools, scratch folders.
public enum TestEnvironment {
  /// The build products folder (where `kcd` and the test bundle live).
  public static var productsDirectory: String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    let exe = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    var parts = exe.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast()
    return parts.joined(separator: "/")
  }

  /// The `kcd` every test process starts: the one built beside the tests, unless a test runs
  /// a scenario with another build (the release binary) inside `$kcdBinaryOverride.withValue`.
  public static var kcdBinary: String { kcdBinaryOverride ?? productsDirectory + "/kcd" }

  @TaskLocal public static var kcdBinaryOverride: String?

  /// The package root (the products folder is `<root>/.build/<triple>/debug`).
  public static var packageRoot: String {
    var dir = productsDirectory
    while !dir.isEmpty && dir != "/" {
      if access(dir + "/Package.swift", F_OK) == 0 { return dir }
      dir = String(dir[..<(dir.lastIndex(of: "/") ?? dir.startIndex)])
    }
    return "."
  }

  public static func variable(_ name: String) -> String? {
    guard let v = getenv(name) else { return nil }
    return String(cString: v)
  }

  /// A fresh scratch folder under the system temp directory.
  public static func makeTemporaryDirectory(_ prefix: String = "kcd-test") -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return path.map { String(cString: $0) } ?? "/tmp/\(prefix)"
  }

  public static func write(_ text: String, to path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { return }
    var s = text
    s.withUTF8 { b in _ = Glibc.write(fd, b.baseAddress, b.count) }
    close(fd)
  }

  public static func read(_ path: String) -> String? {
    readBytes(path).map { String(decoding: $0, as: UTF8.self) }
  }

  /// A file's bytes as they are (signatures, DER), nil when it cannot be opened.
  public static func readBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 65536) }
      if n <= 0 { break }
      out.append(contentsOf: chunk[0..<n])
    }
    return out
  }

  /// Writes bytes as they are (mode 0600); false when the file cannot be written in full.
  @discardableResult
  public static func writeBytes(_ bytes: [UInt8], to path: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
  }

  public static func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  public static func executableExists(_ path: String) -> Bool { access(path, X_OK) == 0 }
}
