#if canImport(Glibc)
import Glibc
#endif
import KcdJSON

/// `kcd sim` started as a separate process for a test, with a private kubeconfig and kubectl
/// discovery cache; stopped when the value goes away.
public final class SimProcess: @unchecked Sendable {
  public let directory: String
  public let kubeconfig: String
  public let child: Child
  public let url: String

  public init(extraArguments: [String] = []) throws {
    directory = TestEnvironment.makeTemporaryDirectory("kubesim")
    kubeconfig = directory + "/kubeconfig"
    child = try Child([TestEnvironment.kcdBinary, "sim", "--listen", "127.0.0.1:0", "--kubeconfig-out", kubeconfig] + extraArguments)
    guard child.waitForOutput(containing: "serving on", timeout: 30) else {
      throw SubprocessError(description: "kcd sim did not start: \(child.output) \(child.errorOutput)")
    }
    let line = child.output.split(separator: "\n").first { $0.contains("serving on") } ?? ""
    url = line.split(separator: " ").first { $0.hasPrefix("http") }.map(String.init) ?? ""
  }

  deinit {
    child.kill(signal: SIGTERM)
    _ = child.wait(timeout: 5)
    _ = try? Subprocess.run(["rm", "-rf", directory])
  }

  public var port: Int { Int(url.split(separator: ":").last ?? "") ?? 0 }

  /// The bearer token from the kubeconfig.
  public var token: String {
    let text = TestEnvironment.read(kubeconfig) ?? ""
    return text.split(separator: "\n").first { $0.contains("token:") }.map { String($0.split(separator: ":").last ?? "").trimmingCharacters() } ?? ""
  }

  /// Runs a kubectl binary against this sim with its own discovery cache.
  public func kubectl(_ binary: String, _ args: [String], input: String? = nil, timeout: Double = 60) throws -> ProcessResult {
    try Subprocess.run([binary, "--kubeconfig", kubeconfig, "--cache-dir", directory + "/cache-" + binary.split(separator: "/").last!.description] + args,
                       environment: ["HOME": directory], input: input, timeout: timeout)
  }

  /// Starts a long-running kubectl (e.g. `get -w`).
  public func startKubectl(_ binary: String, _ args: [String]) throws -> Child {
    try Child([binary, "--kubeconfig", kubeconfig, "--cache-dir", directory + "/cache-" + binary.split(separator: "/").last!.description] + args,
              environment: ["HOME": directory])
  }
}

/// The kubectl binaries the conformance tests run: the machine's (it picks a version matching
/// the server) and Debian's 1.20.2 unpacked by `scripts/setup.sh`.
public enum Kubectl {
  public static var machine: String { "kubectl" }

  public static var debian120: String {
    TestEnvironment.variable("KCD_KUBECTL_120") ?? (TestEnvironment.packageRoot + "/.build-tools/kubectl-1.20/usr/bin/kubectl")
  }

  /// Where the machine's kubectl dispatcher keeps one kubectl per minor version
  /// (`kubectl.1.27` …): beside the `kubectl` on PATH, symbolic links resolved.
  /// `KCD_KUBECTL_DIR` overrides it.
  public static var versionedDirectory: String {
    if let dir = TestEnvironment.variable("KCD_KUBECTL_DIR") { return dir }
    let resolved = (try? Subprocess.run(["sh", "-c", "readlink -f \"$(command -v kubectl)\""]).stdout) ?? ""
    let path = resolved.split(separator: "\n").first.map(String.init) ?? ""
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return String(path[..<slash])
  }

  /// The minor versions the dispatcher offers.
  public static let versionedMinors = 27...33

  /// Each versioned kubectl, called directly (the dispatcher would pick one by server version).
  public static var versioned: [String] { versionedMinors.map { "\(versionedDirectory)/kubectl.1.\($0)" } }

  /// Every kubectl the conformance tests run: each versioned binary and Debian's 1.20.2.
  public static var all: [String] { versioned + [debian120] }
}

extension SimProcess {
  /// The `/_sim/requests` log as JSON objects.
  public func requestLog() throws -> [JSON] {
    let r = try Subprocess.run(["curl", "-sk", "-H", "Authorization: Bearer \(token)", url + "/_sim/requests"])
    return try JSON.parse(r.stdout)["items"].arrayValue ?? []
  }

  /// A `/_sim/…` control call.
  @discardableResult
  public func control(_ method: String, _ path: String, _ body: String = "{}") throws -> String {
    try Subprocess.run(["curl", "-sk", "-X", method, "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json", "--data", body, url + path]).stdout
  }
}
