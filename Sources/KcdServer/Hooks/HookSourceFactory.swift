import KcdCore
import KcdCrypto
import KcdHTTP
import KcdHooks
import Synchronization

/// Builds a hook source from the lines of its secret file. Sources needing outside help (SNS
/// certificate and subscription fetches, Google's OIDC keys) get it injected here, in one place.
public struct HookSourceFactory: Sendable {
  /// GETs a URL the source has already validated; throws on anything but 2xx.
  let fetch: @Sendable (String) throws -> [UInt8]
  let keys: KeySetCache
  /// CI callbacks by OIDC ID token (kcd's config file, `oidc:`); nil when no issuer is configured.
  public let oidc: OIDCVerifier?

  public init(fetch: @escaping @Sendable (String) throws -> [UInt8] = HookSourceFactory.httpGet, oidc: OIDCVerifier? = nil) {
    self.fetch = fetch
    self.keys = KeySetCache(fetch: fetch)
    self.oidc = oidc
  }

  /// The lines a source is built from: its secret file's, or, for `ci` with OIDC issuers
  /// configured and no file, none (the source is enabled by the issuers alone).
  func lines(_ source: String, secrets: HookSecrets) -> [String]? {
    if let lines = secrets.secrets(for: source) { return lines }
    return source == "ci" && oidc != nil ? [] : nil
  }

  /// nil when kcd has no such source; throws when the secret file cannot configure it.
  public func make(_ name: String, _ secrets: [String]) throws(HookRejection) -> (any HookSource)? {
    switch name {
    case "ci":
      // A malformed line (a rotation typo) must not take down the keys that still work.
      let keys = HookSecrets.senderSecrets(source: name, lines: secrets).compactMap { try? StandardWebhooks.Key(secret: $0) }
      guard !keys.isEmpty || oidc != nil else { throw HookRejection(500, "the ci secret file holds no usable key") }
      return CICallback(keys: keys, oidc: oidc)
    case "ecr":
      // SNS deliveries are accepted only from topics named in the file (`topic=<arn>` lines):
      // any AWS account can sign a message for its own topic.
      let topics = Set(secrets.filter { $0.hasPrefix("topic=") }.map { String($0.dropFirst(6)) })
      return ECRHook(secrets: HookSecrets.senderSecrets(source: name, lines: secrets), fetch: fetch, allowedTopicARNs: topics)
    case "gcr":
      let location = GCRHook.Settings(lines: secrets).keysLocation ?? GCRHook.Settings.googleKeys
      let cache = keys
      return GCRHook(secrets: secrets, keys: { try cache.keySet(location) })
    case "distribution", "dockerhub", "harbor", "quay", "github":
      if secrets.isEmpty { throw HookRejection(500, "the \(name) secret file is empty") }
      switch name {
      case "distribution": return DistributionHook(secrets: secrets)
      case "dockerhub": return DockerHubHook(secrets: secrets)
      case "harbor": return HarborHook(secrets: secrets)
      case "quay": return QuayHook(secrets: secrets)
      default: return GitHubHook(secrets: secrets)
      }
    default:
      return nil
    }
  }

  static let client = HTTPClient(userAgent: "kcd")

  public static let httpGet: @Sendable (String) throws -> [UInt8] = { url in
    var request = HTTPClientRequest(method: "GET", url: url)
    request.timeout = 10
    request.maximumBodyBytes = 1 << 20
    let response = try client.send(request)
    guard (200..<300).contains(response.status) else { throw FileError("GET \(url) answered \(response.status)") }
    return response.body
  }
}

/// OIDC key sets by location (a file path or an https URL), refreshed every hour.
final class KeySetCache: Sendable {
  let fetch: @Sendable (String) throws -> [UInt8]
  let cache = Mutex<[String: (JWT.KeySet, Double)]>([:])

  init(fetch: @escaping @Sendable (String) throws -> [UInt8]) { self.fetch = fetch }

  func keySet(_ location: String) throws -> JWT.KeySet {
    let now = Timestamps.now()
    if let (set, at) = cache.withLock({ $0[location] }), now - at < 3600 { return set }
    let bytes = location.hasPrefix("https://") || location.hasPrefix("http://") ? try fetch(location) : try FileIO.read(location, limit: 1 << 20)
    let set = try JWT.KeySet(document: bytes)
    cache.withLock { $0[location] = (set, now) }
    return set
  }
}
