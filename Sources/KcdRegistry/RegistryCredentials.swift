import KcdCore
import KcdHooks
import KcdJSON

/// One way of proving who we are to a registry. `description` never shows the secret.
public enum RegistryCredential: Sendable, Equatable, CustomStringConvertible {
  /// Username and password (or access token): HTTP Basic to the registry or its token realm.
  case basic(username: String, password: String)
  /// An OAuth2 refresh token (`identitytoken` in a Docker config), exchanged at the realm.
  case identityToken(String)
  /// A bearer token sent to the registry as is (`registrytoken` in a Docker config).
  case registryToken(String)

  public var description: String {
    switch self {
    case .basic(let username, _): return "basic(\(username))"
    case .identityToken: return "identity token"
    case .registryToken: return "registry token"
    }
  }
}

/// Credentials per registry host, with hosts in the canonical form image names use
/// (`docker.io`, `registry.example:5000`), so any spelling of a key finds the same entry.
public struct RegistryCredentials: Sendable, Equatable {
  public private(set) var byHost: [String: RegistryCredential] = [:]

  public init() {}

  public init(_ entries: [String: RegistryCredential]) {
    for (host, credential) in entries { set(credential, forHost: host) }
  }

  public var isEmpty: Bool { byHost.isEmpty }

  public mutating func set(_ credential: RegistryCredential, forHost host: String) {
    byHost[RegistryCredentials.canonicalHost(host)] = credential
  }

  /// The credential for a registry host (any spelling), or nil for anonymous access.
  public func credential(forHost host: String) -> RegistryCredential? {
    byHost[RegistryCredentials.canonicalHost(host)]
  }

  /// Entries of `other` win over ours.
  public func merging(_ other: RegistryCredentials) -> RegistryCredentials {
    var merged = self
    for (host, credential) in other.byHost { merged.byHost[host] = credential }
    return merged
  }

  /// A Docker config key to the host an image name carries: scheme, path and case dropped,
  /// Docker Hub's aliases (`https://index.docker.io/v1/`, `registry-1.docker.io`) → `docker.io`.
  public static func canonicalHost(_ key: String) -> String {
    var s = key.lowercased()
    while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
    if let scheme = s.firstRange(of: "://") { s = String(s[scheme.upperBound...]) }
    if let slash = s.firstIndex(of: "/") { s = String(s[..<slash]) }
    if let at = s.lastIndex(of: "@") { s = String(s[s.index(after: at)...]) }
    switch s {
    case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com": return RepositoryName.dockerHub
    default: return s
    }
  }
}

extension RegistryCredentials {
  /// A `kubernetes.io/dockerconfigjson` Secret value or `~/.docker/config.json`:
  /// `{"auths": {"<host>": {"auth": "base64(user:pass)"} | {"username", "password"} | {"identitytoken"}}}`.
  public static func parseDockerConfigJSON(_ bytes: [UInt8]) throws(RegistryError) -> RegistryCredentials {
    let document = try parseJSON(bytes, kind: "Docker config")
    guard let auths = document["auths"].objectValue else {
      if document.objectValue == nil { throw RegistryError(.invalidCredentials, "Docker config is not a JSON object") }
      return RegistryCredentials()
    }
    return try entries(auths, kind: "Docker config")
  }

  /// The legacy `kubernetes.io/dockercfg` format: the `auths` object without the wrapper.
  public static func parseDockerCfg(_ bytes: [UInt8]) throws(RegistryError) -> RegistryCredentials {
    let document = try parseJSON(bytes, kind: ".dockercfg")
    guard let auths = document.objectValue else { throw RegistryError(.invalidCredentials, ".dockercfg is not a JSON object") }
    return try entries(auths, kind: ".dockercfg")
  }

  /// Either format, told apart by the `auths` key.
  public static func parseDockerConfig(_ bytes: [UInt8]) throws(RegistryError) -> RegistryCredentials {
    let document = try parseJSON(bytes, kind: "Docker config")
    return document["auths"].objectValue != nil ? try parseDockerConfigJSON(bytes) : try parseDockerCfg(bytes)
  }

  static func parseJSON(_ bytes: [UInt8], kind: String) throws(RegistryError) -> JSON {
    do { return try JSON.parse(bytes) } catch { throw RegistryError(.invalidCredentials, "\(kind) is not valid JSON") }
  }

  static func entries(_ auths: [String: JSON], kind: String) throws(RegistryError) -> RegistryCredentials {
    var result = RegistryCredentials()
    // Sorted so that when two keys name one host (`docker.io` and the v1 URL), the choice is stable.
    for key in auths.keys.sorted() {
      let entry = auths[key]!
      guard entry.objectValue != nil else { throw RegistryError(.invalidCredentials, "\(kind) entry \"\(key)\" is not an object") }
      if let credential = try credential(entry, key: key, kind: kind) {
        result.set(credential, forHost: key)
      }
    }
    return result
  }

  static func credential(_ entry: JSON, key: String, kind: String) throws(RegistryError) -> RegistryCredential? {
    if let token = entry["identitytoken"].stringValue, !token.isEmpty { return .identityToken(token) }
    if let token = entry["registrytoken"].stringValue, !token.isEmpty { return .registryToken(token) }
    if let username = entry["username"].stringValue, let password = entry["password"].stringValue, !username.isEmpty {
      return .basic(username: username, password: password)
    }
    guard let auth = entry["auth"].stringValue, !auth.isEmpty else { return nil }
    guard let decoded = Base64.decode(auth) else { throw RegistryError(.invalidCredentials, "\(kind) entry \"\(key)\": auth is not base64") }
    let text = String(decoding: decoded, as: UTF8.self)
    guard let colon = text.firstIndex(of: ":") else {
      throw RegistryError(.invalidCredentials, "\(kind) entry \"\(key)\": auth is not base64 of username:password")
    }
    return .basic(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
  }
}
