import KcdHooks

/// A repository split into the registry host it lives on and its path there, plus the rules
/// for reaching that host: Docker Hub's API lives on another name, and loopback or explicitly
/// listed hosts speak plain HTTP (Docker's own rule).
public struct ImageName: Sendable, Hashable, CustomStringConvertible {
  /// The host as canonical names write it: `docker.io`, `registry.example:5000`, `[::1]:5000`.
  public let registry: String
  /// The repository path inside the registry: `library/nginx`, `team/app`.
  public let path: String

  /// Accepts any spelling `RepositoryName.normalize` accepts (`nginx`, `docker.io/nginx`,
  /// `Registry.Example:5000/team/app`); a tag or digest on the end is ignored.
  public init(_ repository: String) throws(RegistryError) {
    let canonical = RepositoryName.normalize(repository)
    guard let slash = canonical.firstIndex(of: "/") else {
      throw RegistryError(.invalidReference, "\"\(repository)\" is not a repository name")
    }
    let host = String(canonical[..<slash])
    let path = String(canonical[canonical.index(after: slash)...])
    guard ImageName.isValidHost(host) else { throw RegistryError(.invalidReference, "\"\(host)\" is not a registry host") }
    guard ImageName.isValidPath(path) else {
      throw RegistryError(.invalidReference, "\"\(path)\" is not a valid repository path (lower-case letters, digits, separators . _ __ -, components split by /)")
    }
    self.registry = host
    self.path = path
  }

  public var canonical: String { registry + "/" + path }
  public var description: String { canonical }
  public var isDockerHub: Bool { registry == RepositoryName.dockerHub }

  /// Amazon ECR (`<account>.dkr.ecr.<region>.amazonaws.com`, also the `.com.cn` partition),
  /// which has its own API for tags; the OCI client still works for reads.
  public var isECR: Bool {
    let host = ImageName.hostWithoutPort(registry)
    return host.contains(".dkr.ecr.") && (host.hasSuffix(".amazonaws.com") || host.hasSuffix(".amazonaws.com.cn"))
  }

  /// Where `/v2/` lives, without a trailing slash.
  public func baseURL(insecureRegistries: [String] = []) -> String {
    ImageName.baseURL(registry: registry, insecureRegistries: insecureRegistries)
  }

  public static func baseURL(registry: String, insecureRegistries: [String] = []) -> String {
    if registry == RepositoryName.dockerHub { return "https://registry-1.docker.io" }
    return (isPlainHTTP(registry, insecureRegistries: insecureRegistries) ? "http://" : "https://") + registry
  }

  /// Loopback (`localhost`, 127.0.0.0/8, `[::1]`) and listed hosts use plain HTTP. A listed
  /// entry without a port covers every port of that host; scheme and trailing `/` are ignored.
  public static func isPlainHTTP(_ registry: String, insecureRegistries: [String] = []) -> Bool {
    let host = hostWithoutPort(registry.lowercased())
    if isLoopback(host) { return true }
    for entry in insecureRegistries {
      var e = entry.lowercased()
      for scheme in ["http://", "https://"] where e.hasPrefix(scheme) { e.removeFirst(scheme.count) }
      while e.hasSuffix("/") { e.removeLast() }
      if e == registry.lowercased() || (e == host && hostWithoutPort(e) == e) { return true }
    }
    return false
  }

  /// `localhost`, any 127.x.y.z, `::1` (with or without brackets).
  public static func isLoopback(_ host: String) -> Bool {
    if host == "localhost" || host == "[::1]" || host == "::1" { return true }
    let octets = host.split(separator: ".", omittingEmptySubsequences: false)
    guard octets.count == 4, octets[0] == "127" else { return false }
    return octets.allSatisfy { o in !o.isEmpty && o.count <= 3 && o.allSatisfy(\.isNumber) && (Int(o) ?? 256) <= 255 }
  }

  /// `host:5000` → `host`; `[::1]:5000` → `[::1]`.
  public static func hostWithoutPort(_ registry: String) -> String {
    if registry.hasPrefix("["), let close = registry.firstIndex(of: "]") { return String(registry[...close]) }
    guard let colon = registry.lastIndex(of: ":") else { return registry }
    let port = registry[registry.index(after: colon)...]
    return !port.isEmpty && port.allSatisfy(\.isNumber) ? String(registry[..<colon]) : registry
  }

  /// Splits `R:T`, `R@sha256:…` or `R:T@sha256:…` into the repository and what follows.
  /// A colon in the first component is a port, not a tag (`localhost:5000/app`).
  public static func splitReference(_ text: String) -> (repository: String, tag: String?, digest: String?) {
    var rest = text
    var digest: String?
    if let at = rest.firstIndex(of: "@") {
      digest = String(rest[rest.index(after: at)...])
      rest = String(rest[..<at])
    }
    let lastSlash = rest.lastIndex(of: "/")
    let lastComponentStart = lastSlash.map { rest.index(after: $0) } ?? rest.startIndex
    if let colon = rest[lastComponentStart...].lastIndex(of: ":") {
      return (String(rest[..<colon]), String(rest[rest.index(after: colon)...]), digest)
    }
    return (rest, nil, digest)
  }

  static func isValidHost(_ host: String) -> Bool {
    guard !host.isEmpty, host.utf8.count <= 255 else { return false }
    return host.utf8.allSatisfy { c in
      (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 46 || c == 45 || c == 58 || c == 91 || c == 93
    }
  }

  /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` per component, components split by `/`.
  static func isValidPath(_ path: String) -> Bool {
    guard !path.isEmpty, path.utf8.count <= 255 else { return false }
    for component in path.split(separator: "/", omittingEmptySubsequences: false) {
      let b = Array(component.utf8)
      func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
      guard let first = b.first, let last = b.last, alnum(first), alnum(last) else { return false }
      var i = 0
      while i < b.count {
        if alnum(b[i]) { i += 1; continue }
        var j = i
        while j < b.count, !alnum(b[j]) { j += 1 }
        let separator = String(decoding: b[i..<j], as: UTF8.self)
        guard separator == "." || separator == "_" || separator == "__" || separator.allSatisfy({ $0 == "-" }) else { return false }
        i = j
      }
    }
    return true
  }
}
