import KcdCore
import KcdHooks
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The hook secrets folder (`--hooks-secret-dir`, a mounted Secret): a file named after a source
/// enables it and holds its secret. Files are re-read when they change, so keys rotate without
/// a restart; whether a file changed is checked at most every `recheckInterval` seconds (a
/// `stat` per webhook would be a third of the syscalls a no-match callback costs).
/// Secrets never leave this type except as keys for verification.
public final class HookSecrets: Sendable {
  struct Entry {
    var stamp: String
    /// nil: the source is disabled (no file).
    var lines: [String]?
    var checkedAt: Double
  }

  public let directory: String
  public let recheckInterval: Double
  let cache = ReadWriteLock<[String: Entry]>([:])

  public init(directory: String, recheckInterval: Double = 0.25) {
    self.directory = directory
    self.recheckInterval = recheckInterval
  }

  /// Non-empty lines of the source's secret file; nil when the source is disabled (no file).
  public func secrets(for source: String) -> [String]? {
    let now = monotonicSeconds()
    let cached = cache.read { $0[source] }
    if let e = cached, now - e.checkedAt < recheckInterval { return e.lines }
    let path = directory + "/" + source
    var st = stat()
    guard stat(path, &st) == 0 else {
      cache.write { $0[source] = Entry(stamp: "", lines: nil, checkedAt: now) }
      return nil
    }
    // Kubernetes updates mounted Secrets by swapping a symlink: size, mtime and inode all count.
    let stamp = "\(st.st_size):\(st.st_mtim.tv_sec):\(st.st_mtim.tv_nsec):\(st.st_ino)"
    if let e = cached, e.stamp == stamp, let lines = e.lines {
      cache.write { $0[source]?.checkedAt = now }
      return lines
    }
    guard let bytes = try? FileIO.read(path, limit: HookSecrets.maximumFileBytes) else { return nil }
    let lines = HookSecrets.lines(bytes)
    cache.write { $0[source] = Entry(stamp: stamp, lines: lines, checkedAt: now) }
    return lines
  }

  public static let maximumFileBytes = 64 * 1024

  /// A secret file's lines, trimmed, blank ones dropped.
  public static func lines(_ bytes: [UInt8]) -> [String] {
    String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
  }

  /// The lines of a source's file that are secrets a sender presents, in file order: for `ci`
  /// the Standard Webhooks keys, for `ecr` the lines that are not `topic=` settings, for `gcr`
  /// none (its lines are settings), for the others every line. Senders are configured with
  /// the first (`kcd hooks register`, `kcd-callback.sh`); every one is accepted.
  public static func senderSecrets(source: String, lines: [String]) -> [String] {
    switch source {
    case "ci": return lines.filter { (try? StandardWebhooks.Key(secret: $0)) != nil }
    case "ecr": return lines.filter { !$0.hasPrefix("topic=") }
    case "gcr": return []
    default: return lines
    }
  }

  /// Standard Webhooks keys for the CI source; nil when disabled, empty when the file holds no usable key.
  public func ciKeys() -> [StandardWebhooks.Key]? {
    guard let lines = secrets(for: "ci") else { return nil }
    return lines.compactMap { try? StandardWebhooks.Key(secret: $0) }
  }
}
