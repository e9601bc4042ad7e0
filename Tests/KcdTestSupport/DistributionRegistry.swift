import KcdJSON

#if canImport(Glibc)
import Glibc
#endif

public struct TestFailure: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Debian's `docker-registry` (CNCF Distribution 2.8) on a free loopback port with htpasswd
/// (bcrypt) auth and filesystem storage in a temporary folder; stopped and removed on deinit.
/// Images go in with `skopeo copy` from a hand-written `oci:` layout.
public final class DistributionRegistry: @unchecked Sendable {
  public static let username = "ci-user"
  public static let password = "pa55-w0rd!"

  public let directory: String
  public let port: Int
  public let child: Child

  public var host: String { "127.0.0.1:\(port)" }
  public var credentials: String { "\(DistributionRegistry.username):\(DistributionRegistry.password)" }

  /// `notifications`: endpoints the registry posts its events to (url, Authorization header).
  public init(notifications: [(url: String, authorization: String)] = []) throws {
    for tool in ["docker-registry", "skopeo", "htpasswd"] where Tools.path(tool) == nil {
      throw TestFailure("\(tool) is not installed (apt-get install -y docker-registry skopeo apache2-utils, or scripts/setup.sh as root)")
    }
    directory = TestEnvironment.makeTemporaryDirectory("kcd-registry")
    let htpasswd = try Subprocess.run(["htpasswd", "-Bbn", DistributionRegistry.username, DistributionRegistry.password])
    guard htpasswd.status == 0, htpasswd.stdout.contains(":$2y$") else { throw TestFailure("htpasswd -B failed: \(htpasswd)") }
    TestEnvironment.write(htpasswd.stdout, to: directory + "/htpasswd")
    var started: (Int, Child)?
    var failures: [String] = []
    // A free port can be taken between probing and binding; try a few.
    for _ in 0..<3 where started == nil {
      let port = try Tools.freePort()
      let config = directory + "/config-\(port).yml"
      TestEnvironment.write(DistributionRegistry.config(directory: directory, port: port, notifications: notifications), to: config)
      let child = try Child(["docker-registry", "serve", config], environment: ["HOME": directory])
      if DistributionRegistry.waitUntilServing(port: port, child: child) {
        started = (port, child)
      } else {
        child.kill(signal: SIGKILL)
        failures.append(child.wait(timeout: 5).description)
      }
    }
    guard let (port, child) = started else {
      _ = try? Subprocess.run(["rm", "-rf", directory])
      throw TestFailure("docker-registry did not start: \(failures.joined(separator: "\n"))")
    }
    self.port = port
    self.child = child
  }

  deinit {
    child.kill(signal: SIGTERM)
    _ = child.wait(timeout: 10)
    _ = try? Subprocess.run(["rm", "-rf", directory])
  }

  static func config(directory: String, port: Int, notifications: [(url: String, authorization: String)] = []) -> String {
    var endpoints = ""
    if !notifications.isEmpty {
      endpoints = "notifications:\n  endpoints:\n"
      for (i, n) in notifications.enumerated() {
        endpoints += "    - name: kcd\(i)\n      url: \(n.url)\n      headers:\n        Authorization: [\"\(n.authorization)\"]\n      timeout: 2s\n      threshold: 3\n      backoff: 1s\n"
      }
    }
    return """
    version: 0.1
    log:
      level: warn
      accesslog:
        disabled: true
    storage:
      filesystem:
        rootdirectory: \(directory)/data
      delete:
        enabled: true
    http:
      addr: 127.0.0.1:\(port)
      secret: kcd-test-secret
    auth:
      htpasswd:
        realm: kcd-test
        path: \(directory)/htpasswd
    \(endpoints)
    """
  }

  /// Serving once `/v2/` answers 401 (auth on, storage up); false if the process exited.
  static func waitUntilServing(port: Int, child: Child) -> Bool {
    let deadline = now() + 20
    while now() < deadline {
      if child.hasExited { return false }
      if let r = try? httpRequest(port: port, method: "GET", path: "/v2/"), r.status == 401 { return true }
      usleep(50_000)
    }
    return false
  }

  /// `skopeo copy` of `oci:<layout>:<name>` to `team/app:<tag>` (or another repository),
  /// digests preserved, every platform of an index copied.
  public func push(layout: String, name: String, repository: String = "team/app", tag: String) throws {
    let r = try skopeo(["copy", "-q", "--all", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds", credentials,
                        "oci:\(layout):\(name)", "docker://\(host)/\(repository):\(tag)"])
    guard r.status == 0 else { throw TestFailure("skopeo copy to \(repository):\(tag) failed: \(r)") }
  }

  /// The digest `skopeo inspect` reports for a tag.
  public func inspectDigest(repository: String = "team/app", tag: String) throws -> String {
    let r = try skopeo(["inspect", "--tls-verify=false", "--creds", credentials, "docker://\(host)/\(repository):\(tag)"])
    guard r.status == 0, let digest = try JSON.parse(r.stdout)["Digest"].stringValue else { throw TestFailure("skopeo inspect \(tag) failed: \(r)") }
    return digest
  }

  public func skopeo(_ args: [String]) throws -> ProcessResult {
    try Subprocess.run(["skopeo", "--insecure-policy"] + args, environment: ["HOME": directory, "XDG_RUNTIME_DIR": directory], timeout: 60)
  }
}

public enum Tools {
  /// The executable's path on PATH, or nil.
  public static func path(_ tool: String) -> String? {
    let path = TestEnvironment.variable("PATH") ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") where TestEnvironment.executableExists("\(dir)/\(tool)") { return "\(dir)/\(tool)" }
    return nil
  }

  /// A loopback port nothing listens on right now.
  public static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) { p in
      p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw TestFailure("no free loopback port") }
    return Int(UInt16(bigEndian: addr.sin_port))
  }
}
