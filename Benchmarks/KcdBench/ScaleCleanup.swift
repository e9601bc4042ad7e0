import KcdCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Every child process and temporary folder the scale benchmark owns, so that a failure, an
/// early exit or Ctrl-C leaves nothing running or lying around.
final class ScaleCleanup: Sendable {
  static let shared = ScaleCleanup()

  let pids = Mutex<Set<pid_t>>([])
  let directories = Mutex<[String]>([])

  func adopt(_ pid: pid_t) { _ = pids.withLock { $0.insert(pid) } }
  func release(_ pid: pid_t) { _ = pids.withLock { $0.remove(pid) } }
  func adopt(directory: String) { directories.withLock { $0.append(directory) } }

  /// Kills every child still registered (its whole process group) and removes the folders.
  func run() {
    for pid in pids.withLock({ p in defer { p.removeAll() }; return p }) {
      kill(-pid, SIGKILL)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
    for d in directories.withLock({ d in defer { d.removeAll() }; return d }) { ScaleFiles.removeTree(d) }
  }

  /// Blocks SIGINT/SIGTERM in every thread (call before any thread starts) and cleans up and
  /// exits from a dedicated thread when one arrives.
  func installSignalHandling() {
    Signals.blockTermination()
    Threads.spawn { [self] in
      let signal = Signals.waitForTermination()
      printError("kcd-bench scale: signal \(signal), stopping children and removing temporary files")
      run()
      exit(128 + signal)
    }
  }
}

/// Progress goes to stderr so stdout carries only the report.
func printError(_ text: String) {
  let line = Array((text + "\n").utf8)
  _ = line.withUnsafeBytes { write(2, $0.baseAddress, line.count) }
}
