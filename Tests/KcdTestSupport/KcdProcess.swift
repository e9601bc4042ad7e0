#if canImport(Glibc)
import Glibc
#endif

/// `kcd run` started as a separate process against a KubeSim, with a hooks secret folder.
public final class KcdProcess: @unchecked Sendable {
  public let child: Child
  public let hooksPort: Int
  public let apiPort: Int
  public let secretFile: String

  public init(kubeconfig: String, directory: String, secret: String = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", extraArguments: [String] = [],
              hooksPort requestedHooksPort: Int = 0, environment: [String: String] = [:]) throws {
    let hooks = directory + "/hooks"
    _ = try Subprocess.run(["mkdir", "-p", hooks])
    secretFile = hooks + "/ci"
    TestEnvironment.write(secret + "\n", to: secretFile)
    child = try Child([TestEnvironment.kcdBinary, "run", "--kubeconfig", kubeconfig, "--hooks-addr", "127.0.0.1:\(requestedHooksPort)", "--api-addr", "127.0.0.1:0",
                       "--hooks-secret-dir", hooks, "--log-format", "json"] + extraArguments, environment: environment)
    guard child.waitForOutput(containing: "kcd listening", timeout: 30) else {
      throw SubprocessError(description: "kcd run did not start: \(child.output) \(child.errorOutput)")
    }
    let line = child.output.split(separator: "\n").first { $0.contains("kcd listening") } ?? ""
    let ports = line.split(separator: ":").compactMap { Int($0.prefix { $0.isNumber }) }
    hooksPort = ports.first ?? 0
    apiPort = ports.dropFirst().first ?? 0
  }

  public var hooksURL: String { "http://127.0.0.1:\(hooksPort)/hooks/ci" }

  /// Whether `/readyz` answers 200 within `timeout` (hooks answer 503 until the caches synced).
  public func waitReady(timeout: Double = 30) -> Bool {
    eventually(timeout: timeout) {
      (try? Subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(apiPort)/readyz"]).stdout) == "200"
    }
  }

  /// `kcd hooks send` to this kcd.
  public func send(repository: String, tag: String, digest: String?, version: String? = nil, extra: [String] = []) throws -> ProcessResult {
    var args = [TestEnvironment.kcdBinary, "hooks", "send", "--url", hooksURL, "--secret-file", secretFile, "--repository", repository, "--tag", tag]
    if let digest { args += ["--digest", digest] }
    if let version { args += ["--version", version] }
    return try Subprocess.run(args + extra, timeout: 120)
  }

  /// Kills the process at once (SIGKILL), as a crash would.
  public func crash() {
    child.kill(signal: SIGKILL)
    _ = child.wait(timeout: 5)
  }

  deinit {
    child.kill(signal: SIGTERM)
    _ = child.wait(timeout: 10)
  }
}

/// Polls until `condition` holds or the deadline passes.
public func eventually(timeout: Double = 60, interval: Double = 0.1, _ condition: () throws -> Bool) rethrows -> Bool {
  let deadline = now() + timeout
  while now() < deadline {
    if try condition() { return true }
    usleep(UInt32(interval * 1_000_000))
  }
  return try condition()
}

/// A fresh random digest for tests.
public func randomDigest() -> String {
  var g = SystemRandomNumberGenerator()
  let hex = Array("0123456789abcdef")
  return "sha256:" + String((0..<64).map { _ in hex[Int(g.next() % 16)] })
}
