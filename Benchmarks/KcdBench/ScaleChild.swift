import KcdCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A program the scale benchmark starts (kcd, nginx, wrk): in its own process group so a
/// terminal's Ctrl-C reaches only the bench, output in files (nothing to drain), and listed in
/// `ScaleCleanup` so it is stopped even when the bench fails or is interrupted.
final class ScaleChild: Sendable {
  let pid: pid_t
  let stdoutPath: String
  let stderrPath: String
  /// Monotonic seconds just before `posix_spawn`: "from exec" timings start here.
  let spawnedAt: Double
  let exitStatus = Mutex<Int32?>(nil)

  init(_ argv: [String], outputPrefix: String) throws {
    stdoutPath = outputPrefix + ".stdout"
    stderrPath = outputPrefix + ".stderr"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    // The bench blocks SIGINT/SIGTERM and ignores SIGPIPE; the child gets the usual dispositions.
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for s in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaults, s) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)
    var cArgs = argv.map { strdup($0) } + [nil]
    var cEnv = ProcessRunner.currentEnvironment().map { strdup("\($0)=\($1)") } + [nil]
    defer {
      for p in cArgs { free(p) }
      for p in cEnv { free(p) }
      posix_spawn_file_actions_destroy(&actions)
      posix_spawnattr_destroy(&attributes)
    }
    var pid: pid_t = 0
    spawnedAt = monotonicSeconds()
    let rc = posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgs, &cEnv)
    guard rc == 0 else { throw ScaleError("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
    self.pid = pid
    ScaleCleanup.shared.adopt(pid)
  }

  var hasExited: Bool {
    if exitStatus.withLock({ $0 }) != nil { return true }
    var status: Int32 = 0
    guard waitpid(pid, &status, WNOHANG) == pid else { return false }
    exitStatus.withLock { $0 = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F) }
    ScaleCleanup.shared.release(pid)
    return true
  }

  /// Waits up to `timeout` seconds for the child to end by itself.
  @discardableResult
  func wait(timeout: Double) -> Bool {
    let deadline = monotonicSeconds() + timeout
    while !hasExited {
      if monotonicSeconds() > deadline { return false }
      usleep(5_000)
    }
    return true
  }

  /// SIGTERM to the group, then SIGKILL after `grace` seconds; returns the exit status.
  @discardableResult
  func stop(grace: Double = 10) -> Int32 {
    if !hasExited {
      kill(-pid, SIGTERM)
      if !wait(timeout: grace) {
        kill(-pid, SIGKILL)
        wait(timeout: 5)
      }
    }
    return exitStatus.withLock { $0 } ?? -1
  }

  var standardOutput: String { ScaleFiles.text(stdoutPath) }
  var standardError: String { ScaleFiles.text(stderrPath) }

  /// Polls stdout for a line containing `text` (checking every millisecond, so start-up timings
  /// are not rounded up by the poll).
  func waitForLine(containing text: String, timeout: Double) -> String? {
    let deadline = monotonicSeconds() + timeout
    while monotonicSeconds() < deadline {
      if let line = standardOutput.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
      if hasExited { return nil }
      usleep(1_000)
    }
    return nil
  }
}

/// A failure of the benchmark harness itself (not a missed target).
struct ScaleError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Small file helpers (no Foundation).
enum ScaleFiles {
  static func text(_ path: String) -> String {
    (try? FileIO.read(path, limit: 512 << 20)).map { String(decoding: $0, as: UTF8.self) } ?? ""
  }

  static func removeTree(_ path: String) {
    _ = try? ProcessRunner.run(["rm", "-rf", path], timeout: 60)
  }
}
