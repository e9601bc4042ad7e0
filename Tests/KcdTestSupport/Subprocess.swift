#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Runs programs for tests (kubectl, python3, nginx, the kcd binary) with posix_spawn: argv,
/// extra environment, captured stdout/stderr, exit status, and a time limit.
public struct ProcessResult: Sendable, CustomStringConvertible {
  public var status: Int32
  public var stdout: String
  public var stderr: String
  public var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}

public enum Subprocess {
  /// Runs to completion (killed after `timeout` seconds); stdin gets `input`.
  public static func run(_ argv: [String], environment: [String: String] = [:], input: String? = nil, timeout: Double = 120, directory: String? = nil) throws -> ProcessResult {
    let child = try Child(argv, environment: environment, directory: directory, captureOutput: true)
    if let input { child.writeInput(input) }
    child.closeInput()
    return child.wait(timeout: timeout)
  }

  /// Environment of this process plus overrides.
  static func environment(_ extra: [String: String]) -> [String] {
    var env: [String: String] = [:]
    var p = environ
    while let entry = p.pointee {
      let s = String(cString: entry)
      if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
      p += 1
    }
    for (k, v) in extra { env[k] = v }
    return env.map { "\($0)=\($1)" }
  }
}

public struct SubprocessError: Error, CustomStringConvertible {
  public let description: String
}

/// A started process; its output is drained on background threads so pipes never fill.
public final class Child: @unchecked Sendable {
  static let spawnLock = SpawnLock()

  public let pid: pid_t
  let stdinFD: Int32
  let out = Mutex<[UInt8]>([])
  let err = Mutex<[UInt8]>([])
  let readers = Atomic<Int>(0)

  public init(_ argv: [String], environment: [String: String] = [:], directory: String? = nil, captureOutput: Bool = true) throws {
    // Pipes are close-on-exec and spawning is serialised, so a child started concurrently by
    // another test never inherits this child's pipe ends (which would keep stdin from closing).
    Child.spawnLock.lock()
    defer { Child.spawnLock.unlock() }
    var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
    pipe(&inPipe); pipe(&outPipe); pipe(&errPipe)
    for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    for fd in inPipe + outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    var signals = sigset_t()
    sigemptyset(&signals)
    posix_spawnattr_setsigmask(&attributes, &signals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)
    let env = Subprocess.environment(environment)
    let argv = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0] + argv } ?? argv
    var cArgs = argv.map { strdup($0) } + [nil]
    var cEnv = env.map { strdup($0) } + [nil]
    defer {
      for p in cArgs { free(p) }
      for p in cEnv { free(p) }
      posix_spawn_file_actions_destroy(&actions)
      posix_spawnattr_destroy(&attributes)
    }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgs, &cEnv)
    close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
    guard rc == 0 else {
      close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
      throw SubprocessError(description: "cannot start \(argv[0]): \(String(cString: strerror(rc)))")
    }
    self.pid = pid
    self.stdinFD = inPipe[1]
    drain(outPipe[0], isError: false)
    drain(errPipe[0], isError: true)
  }

  func drain(_ fd: Int32, isError: Bool) {
    readers.wrappingAdd(1, ordering: .relaxed)
    let spawn: @Sendable () -> Void = { [self] in
      var chunk = [UInt8](repeating: 0, count: 65536)
      while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
        if n <= 0 { if n < 0 && errno == EINTR { continue }; break }
        if isError { err.withLock { $0.append(contentsOf: chunk[0..<n]) } } else { out.withLock { $0.append(contentsOf: chunk[0..<n]) } }
      }
      close(fd)
      readers.wrappingSubtract(1, ordering: .relaxed)
    }
    TestThreads.spawn(spawn)
  }

  public func writeInput(_ text: String) {
    var s = text
    s.withUTF8 { b in
      var off = 0
      while off < b.count {
        let n = write(stdinFD, b.baseAddress! + off, b.count - off)
        if n <= 0 { break }
        off += n
      }
    }
  }

  public func closeInput() { close(stdinFD) }

  /// Output so far.
  public var output: String { String(decoding: out.withLock { $0 }, as: UTF8.self) }
  public var errorOutput: String { String(decoding: err.withLock { $0 }, as: UTF8.self) }

  /// Waits for a line containing `text` on stdout or stderr.
  public func waitForOutput(containing text: String, timeout: Double = 30) -> Bool {
    let deadline = now() + timeout
    while now() < deadline {
      if output.contains(text) || errorOutput.contains(text) { return true }
      if hasExited { return output.contains(text) || errorOutput.contains(text) }
      usleep(20_000)
    }
    return false
  }

  let exitStatus = Mutex<Int32?>(nil)

  public var hasExited: Bool {
    if exitStatus.withLock({ $0 }) != nil { return true }
    var status: Int32 = 0
    let r = waitpid(pid, &status, WNOHANG)
    if r == pid { exitStatus.withLock { $0 = Child.decode(status) }; return true }
    return false
  }

  static func decode(_ status: Int32) -> Int32 {
    if status & 0x7F == 0 { return (status >> 8) & 0xFF }
    return 128 + (status & 0x7F)
  }

  public func wait(timeout: Double) -> ProcessResult {
    let deadline = now() + timeout
    while !hasExited {
      if now() > deadline { kill(signal: SIGKILL) }
      usleep(5_000)
    }
    let readDeadline = now() + 5
    while readers.load(ordering: .relaxed) > 0 && now() < readDeadline { usleep(2_000) }
    return ProcessResult(status: exitStatus.withLock { $0 } ?? -1, stdout: output, stderr: errorOutput)
  }

  /// Signals the whole process group (the child and anything it started).
  public func kill(signal: Int32 = SIGTERM) {
    if !hasExited { Glibc.kill(-pid, signal) }
  }

  deinit {
    if !hasExited {
      Glibc.kill(-pid, SIGKILL)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
  }
}


public func now() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

enum TestThreads {
  final class Box: @unchecked Sendable { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
  static func spawn(_ body: @escaping @Sendable () -> Void) {
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var t = pthread_t()
    pthread_create(&t, nil, { raw in
      Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
      return nil
    }, box)
    pthread_detach(t)
  }
}

final class SpawnLock: @unchecked Sendable {
  var mutex = pthread_mutex_t()
  init() { pthread_mutex_init(&mutex, nil) }
  func lock() { pthread_mutex_lock(&mutex) }
  func unlock() { pthread_mutex_unlock(&mutex) }
}
