import KcdCore
import KcdJSON
import Synchronization

/// Where the bearer token (or client certificate) comes from, refreshed as the source needs:
/// a fixed token, a token file re-read every minute (projected service-account tokens rotate),
/// or an exec credential plugin cached until it expires and re-run once after a 401.
public final class Credentials: Sendable {
  public enum Source: Sendable {
    case none
    case token(String)
    case tokenFile(String)
    case exec(ExecPlugin)
  }

  public struct ExecPlugin: Sendable, Equatable {
    public var apiVersion: String
    public var command: String
    public var args: [String]
    public var env: [String: String]
    public var provideClusterInfo: Bool
    public var clusterServer: String
    public init(apiVersion: String, command: String, args: [String] = [], env: [String: String] = [:], provideClusterInfo: Bool = false, clusterServer: String = "") {
      self.apiVersion = apiVersion; self.command = command; self.args = args; self.env = env
      self.provideClusterInfo = provideClusterInfo; self.clusterServer = clusterServer
    }
  }

  /// What an exec plugin returned.
  public struct Issued: Sendable, Equatable {
    public var token: String?
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public var expiresAt: Double?
  }

  struct Cache {
    var token: String?
    var readAt = -1e18
    var issued: Issued?
  }

  public let source: Source
  let cache = Mutex(Cache())
  let fileTTL: Double
  let clock: @Sendable () -> Double

  public init(_ source: Source, fileTTL: Double = 60, clock: @escaping @Sendable () -> Double = Timestamps.now) {
    self.source = source
    self.fileTTL = fileTTL
    self.clock = clock
  }

  /// The `Authorization` header value, if any.
  public func authorization() throws(KubeError) -> String? {
    switch source {
    case .none: return nil
    case .token(let t): return "Bearer \(t)"
    case .tokenFile(let path):
      let now = clock()
      if let t = cache.withLock({ c -> String? in now - c.readAt < fileTTL ? c.token : nil }) { return "Bearer \(t)" }
      let token: String
      do { token = String(decoding: try FileIO.read(path), as: UTF8.self).trimmingCharacters() } catch {
        throw KubeError.transport("cannot read token file \(path): \(error)")
      }
      cache.withLock { $0.token = token; $0.readAt = now }
      return "Bearer \(token)"
    case .exec(let plugin):
      let issued = try execCredential(plugin)
      return issued.token.map { "Bearer \($0)" }
    }
  }

  /// Client certificate issued by an exec plugin (kubeconfig certificates are in TLS options).
  public func clientCertificate() throws(KubeError) -> (cert: [UInt8], key: [UInt8])? {
    guard case .exec(let plugin) = source else { return nil }
    let issued = try execCredential(plugin)
    if let c = issued.clientCertificatePEM, let k = issued.clientKeyPEM { return (c, k) }
    return nil
  }

  /// After a 401: forget cached credentials so the next call re-reads or re-runs. Returns
  /// whether a retry can help.
  public func invalidate() -> Bool {
    switch source {
    case .none, .token: return false
    case .tokenFile, .exec:
      cache.withLock { $0 = Cache() }
      return true
    }
  }

  func execCredential(_ plugin: ExecPlugin) throws(KubeError) -> Issued {
    let now = clock()
    if let issued = cache.withLock({ $0.issued }), issued.expiresAt.map({ $0 > now + 10 }) ?? true { return issued }
    var info: JSON = ["apiVersion": .string(plugin.apiVersion), "kind": "ExecCredential", "spec": ["interactive": false]]
    if plugin.provideClusterInfo { info["spec"]["cluster"] = ["server": .string(plugin.clusterServer)] }
    var env = plugin.env
    env["KUBERNETES_EXEC_INFO"] = info.text
    let result: ProcessRunner.Result
    do { result = try ProcessRunner.run([plugin.command] + plugin.args, environment: env, timeout: 60) } catch {
      throw KubeError.transport("exec credential plugin \(plugin.command) failed to start: \(error)")
    }
    guard result.status == 0 else {
      throw KubeError.transport("exec credential plugin \(plugin.command) exited with status \(result.status)")
    }
    let issued = try Credentials.parseExecCredential(result.stdout, apiVersion: plugin.apiVersion, command: plugin.command)
    cache.withLock { $0.issued = issued }
    return issued
  }

  /// Parses an ExecCredential; it must be of the apiVersion asked for and carry a status.
  static func parseExecCredential(_ bytes: [UInt8], apiVersion: String, command: String) throws(KubeError) -> Issued {
    guard let json = try? JSON.parse(bytes), json["kind"] == "ExecCredential" else {
      throw KubeError.transport("exec credential plugin \(command) did not print an ExecCredential")
    }
    guard json["apiVersion"].stringValue == apiVersion else {
      throw KubeError.transport("exec credential plugin \(command) answered apiVersion \(json["apiVersion"].stringValue ?? "none"), want \(apiVersion)")
    }
    let status = json["status"]
    guard case .object = status else { throw KubeError.transport("exec credential plugin \(command) printed no status") }
    let token = status["token"].stringValue
    let cert = status["clientCertificateData"].stringValue.map { Array($0.utf8) }
    let key = status["clientKeyData"].stringValue.map { Array($0.utf8) }
    guard token != nil || (cert != nil && key != nil) else {
      throw KubeError.transport("exec credential plugin \(command) printed neither a token nor a client certificate and key")
    }
    let expires = status["expirationTimestamp"].stringValue.flatMap(Timestamps.parse)
    return Issued(token: token, clientCertificatePEM: cert, clientKeyPEM: key, expiresAt: expires)
  }
}
