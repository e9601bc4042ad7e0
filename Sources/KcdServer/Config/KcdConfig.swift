import KcdController
import KcdCore
import KcdHooks
import KcdJSON
import KcdYAML

/// kcd's optional configuration file (`--config`, YAML or JSON): registries (credentials,
/// plain-HTTP ones), repository aliases, intake policy and notifications
/// (`KcdConfig+Notifications.swift`, docs/notifications.md). Flags override it; `KCD_*`
/// environment variables sit between the two.
///
/// ```yaml
/// registries:
///   - host: registry.internal:5000
///     insecure: true                 # plain HTTP (localhost and 127.0.0.0/8 are plain HTTP anyway)
///     username: ci
///     passwordFile: /etc/kcd/registry/password
///   - host: ghcr.io
///     dockerConfig: /etc/kcd/ghcr/.dockerconfigjson
/// aliases:
///   - from: registry.internal:5000   # events from this host …
///     to: registry.example.com       # … match KCDs that name this one
/// trustSignedDigests: true
/// dashboardURL: https://kcd.example/
/// notifications:
///   - {name: deploys, kind: slack, urlFile: /etc/kcd/slack/url, events: [failed, rolledBack]}
/// oidc:
///   - {issuer: "https://token.actions.githubusercontent.com", audience: "https://kcd.example.com", claims: {repository: acme/shop}}
/// checks:
///   webhookURLs: [https://verify.example.com/kcd/]
/// ```
public struct KcdConfig: Sendable, Equatable {
  public struct Registry: Sendable, Equatable {
    public var host: String
    public var insecure = false
    public var username: String?
    public var passwordFile: String?
    public var dockerConfig: String?
  }

  public var registries: [Registry] = []
  /// host → host, applied to event repositories before matching.
  public var aliases: [String: String] = [:]
  public var trustSignedDigests = true
  /// Receivers of rollout outcomes and the dashboard link in their messages.
  public var notifications = NotificationSettings()
  /// Issuers whose OIDC ID tokens authenticate CI callbacks (`KcdConfig+OIDC.swift`, docs/oidc.md).
  public var oidc: [OIDCIssuer] = []
  /// What KCDs' checks may make kcd do (`KcdConfig+Checks.swift`, docs/verification.md).
  public var checks = CheckAllowList.any

  public init() {}

  public static func load(_ path: String) throws(UsageError) -> KcdConfig {
    let text: String
    do { text = String(decoding: try FileIO.read(path, limit: 1 << 20), as: UTF8.self) } catch { throw UsageError("cannot read --config \(path): \(error)") }
    let json: JSON
    do { json = try YAML.parse(text) } catch { throw UsageError("--config \(path): \(error)") }
    return try parse(json, source: path)
  }

  public static func parse(_ json: JSON, source: String) throws(UsageError) -> KcdConfig {
    var c = KcdConfig()
    guard case .object(let top) = json else { throw UsageError("\(source): the configuration must be a mapping") }
    for key in top.keys where !["registries", "aliases", "trustSignedDigests", "notifications", "dashboardURL", "oidc", "checks"].contains(key) {
      throw UsageError("\(source): unknown setting \"\(key)\" (known: registries, aliases, trustSignedDigests, notifications, dashboardURL, oidc, checks)")
    }
    for (i, r) in (json["registries"].arrayValue ?? []).enumerated() {
      guard let host = r["host"].stringValue, !host.isEmpty else { throw UsageError("\(source): registries[\(i)].host is required") }
      if !r["password"].isNull { throw UsageError("\(source): registries[\(i)]: put the password in a file and name it with passwordFile") }
      for key in r.objectValue?.keys.sorted() ?? [] where !["host", "insecure", "username", "passwordFile", "dockerConfig"].contains(key) {
        throw UsageError("\(source): registries[\(i)]: unknown setting \"\(key)\"")
      }
      var reg = Registry(host: host.lowercased())
      reg.insecure = r["insecure"].boolValue ?? false
      reg.username = r["username"].stringValue
      reg.passwordFile = r["passwordFile"].stringValue
      reg.dockerConfig = r["dockerConfig"].stringValue
      if (reg.username == nil) != (reg.passwordFile == nil) { throw UsageError("\(source): registries[\(i)]: username and passwordFile go together") }
      c.registries.append(reg)
    }
    for (i, a) in (json["aliases"].arrayValue ?? []).enumerated() {
      guard let from = a["from"].stringValue, let to = a["to"].stringValue, !from.isEmpty, !to.isEmpty else {
        throw UsageError("\(source): aliases[\(i)] needs from and to")
      }
      c.aliases[from.lowercased()] = to.lowercased()
    }
    if !json["trustSignedDigests"].isNull {
      guard let b = json["trustSignedDigests"].boolValue else { throw UsageError("\(source): trustSignedDigests must be true or false") }
      c.trustSignedDigests = b
    }
    c.notifications = try parseNotifications(json, source: source)
    c.oidc = try parseOIDC(json["oidc"], source: source)
    c.checks = try parseChecks(json["checks"], source: source)
    return c
  }

  /// An event repository with its host replaced by its alias, if any.
  public func dealias(_ repository: String) -> String {
    if aliases.isEmpty { return repository }
    let host = RepositoryName.host(repository)
    guard let to = aliases[host] else { return repository }
    return to + repository.dropFirst(host.count)
  }
}
