#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with posix_spawn (no Foundation): argv, extra environment,
/// stdin text, captured stdout and stderr, a time limit. Used for exec credential plugins.
public enum ProcessRunner {
  public struct Result: Sendable {
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]
  }

  public struct Failure: Error, Sendable, CustomStringConvertible {
    public let description: String
  }

  /// Serialises spawning so concurrently started children never inherit each other's pipes.
  static let spawnLock = PThreadMutex()

  public static func run(_ argv: [String], environment: [String: String] = [:], input: [UInt8] = [], timeout: Double = 60) throws(Failure) -> Result {
    guard let program = argv.first else { throw Failure(description: "no program given") }
    var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
    var pid: pid_t = 0
    let rc: Int32 = spawnLock.locked {
      pipe(&inPipe); pipe(&outPipe); pipe(&errPipe)
      for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
      var actions = posix_spawn_file_actions_t()
      posix_spawn_file_actions_init(&actions)
      posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
      posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
      posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
      var attributes = posix_spawnattr_t()
      posix_spawnattr_init(&attributes)
      var signals = sigset_t()
      sigemptyset(&signals)
      posix_spawnattr_setsigmask(&attributes, &signals)
      posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
      var env = currentEnvironment()
      for (k, v) in environment { env[k] = v }
      var cArgs = argv.map { strdup($0) } + [nil]
      var cEnv = env.map { strdup("\($0)=\($1)") } + [nil]
      let r = posix_spawnp(&pid, program, &actions, &attributes, &cArgs, &cEnv)
      for p in cArgs { free(p) }
      for p in cEnv { free(p) }
      posix_spawn_file_actions_destroy(&actions)
      posix_spawnattr_destroy(&attributes)
      close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
      return r
    }
    guard rc == 0 else {
      close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
      throw Failure(description: "cannot run \(program): \(String(cString: strerror(rc)))")
    }
    if !input.isEmpty { input.withUnsafeBytes { _ = write(inPipe[1], $0.baseAddress, input.count) } }
    close(inPipe[1])
    var out: [UInt8] = [], err: [UInt8] = []
    var open = [outPipe[0], errPipe[0]]
    let deadline = monotonicSeconds() + timeout
    var buffer = [UInt8](repeating: 0, count: 65536)
    while !open.isEmpty {
      let remaining = deadline - monotonicSeconds()
      if remaining <= 0 { kill(pid, SIGKILL); break }
      var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      if poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1) * 1000)) <= 0 { continue }
      for p in fds where p.revents != 0 {
        let n = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, 65536) }
        if n > 0 {
          if p.fd == outPipe[0] { out.append(contentsOf: buffer[0..<n]) } else { err.append(contentsOf: buffer[0..<n]) }
          if out.count + err.count > 16 << 20 { kill(pid, SIGKILL) }
        } else {
          close(p.fd)
          open.removeAll { $0 == p.fd }
        }
      }
    }
    for fd in open { close(fd) }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let code: Int32 = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return Result(status: code, stdout: out, stderr: err)
  }

  public static func currentEnvironment() -> [String: String] {
    var env: [String: String] = [:]
    var p = environ
    while let entry = p.pointee {
      let s = String(cString: entry)
      if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
      p += 1
    }
    return env
  }
}

/// A plain pthread mutex for C-level critical sections (spawning) outside Swift's `Mutex`.
public final class PThreadMutex: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  public init() { pthread_mutex_init(&mutex, nil) }
  deinit { pthread_mutex_destroy(&mutex) }
  public func locked<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return try body()
  }
}

/// Environment variables.
public enum Environment {
  public static func value(_ name: String) -> String? {
    guard let v = getenv(name) else { return nil }
    return String(cString: v)
  }
}
