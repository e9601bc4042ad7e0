import KcdHTTP
import KcdHooks

/// What kcd's operator lets KCD editors make kcd do on their behalf when a KCD asks for
/// checks (`checks:` in kcd's config file, docs/verification.md): the URLs Webhook checks may
/// POST to, the images Image checks may run (and whether with a command of the editor's), and
/// the service accounts they may run under. A list that is not set allows anything (kcd's
/// rights on behalf of KCD editors, as documented); a list that is set refuses everything else,
/// and the check fails before anything is sent or created, saying which setting refused it.
public struct CheckAllowList: Sendable, Equatable {
  /// URL prefixes (`https://verify.example.com/hooks/`): same scheme, same host and port, and a
  /// path that is the prefix's or lies under it.
  public let webhookURLs: [CheckURL]?
  /// Repositories (`registry.example/tools/verify`), or every repository under a prefix that ends
  /// with `/` (`registry.example/tools/`), normalised.
  public let images: [String]?
  /// Whether an Image check may give its own `command` and `args` when `images` is set: a
  /// listed image then runs only its own entrypoint, unless the operator says otherwise.
  public let commands: Bool
  /// Service accounts an Image check may name. A check naming none runs without a token and is
  /// always allowed.
  public let serviceAccounts: [String]?

  public init(webhookURLs: [CheckURL]? = nil, images: [String]? = nil, commands: Bool = false, serviceAccounts: [String]? = nil) {
    self.webhookURLs = webhookURLs
    self.images = images.map { $0.map(CheckAllowList.normalizedImageEntry) }
    self.commands = commands
    self.serviceAccounts = serviceAccounts
  }

  public static let any = CheckAllowList()

  /// Why a Webhook check may not POST to `url`, or nil when it may.
  public func refusal(url: String) -> String? {
    guard let allowed = webhookURLs else { return nil }
    guard let target = CheckURL(url) else {
      return "the URL is not one kcd's checks.webhookURLs can allow (an http or https URL, plain host and port, no dot segments or encoded separators in its path)"
    }
    return allowed.contains { $0.covers(target) } ? nil : "\(target.display) is not in kcd's checks.webhookURLs"
  }

  /// Why an Image check may not run, or nil when it may.
  public func refusal(image check: VerifyStep.ImageCheck) -> String? {
    if let allowed = images {
      guard let reference = CheckAllowList.qualified(check.reference) else {
        return "the image \(String(check.reference.prefix(200))) is not a valid image reference"
      }
      let ok = allowed.contains { $0.hasSuffix("/") ? reference.repository.hasPrefix($0) : reference.repository == $0 }
      if !ok { return "the image \(reference.repository) is not in kcd's checks.images" }
      if !commands && (check.command != nil || check.args != nil) {
        return "the check gives its own command or args, which kcd's checks.images allows only with checks.commands: true"
      }
    }
    if let allowed = serviceAccounts, let account = check.serviceAccountName, !allowed.contains(account) {
      return "the service account \(account) is not in kcd's checks.serviceAccounts"
    }
    return nil
  }

  /// The image a Job runs: as written when no image list is set; otherwise the reference the
  /// list was compared with, fully qualified, so the runtime cannot resolve a short name
  /// (`busybox`) to another registry than the one compared.
  public func jobImage(_ check: VerifyStep.ImageCheck) -> String {
    guard images != nil, let q = CheckAllowList.qualified(check.reference) else { return check.reference }
    return q.repository + (q.tag.map { ":" + $0 } ?? "") + (q.digest.map { "@" + $0 } ?? "")
  }

  /// A reference in the distribution grammar, split: the normalised repository, its tag and
  /// digest; nil when any part is invalid.
  static func qualified(_ reference: String) -> (repository: String, tag: String?, digest: String?)? {
    var name = Substring(reference)
    var digest: String?
    if let at = name.firstIndex(of: "@") {
      digest = String(name[name.index(after: at)...])
      name = name[..<at]
      guard RepositoryName.isValidDigest(digest!) else { return nil }
    }
    var tag: String?
    let lastSlash = name.lastIndex(of: "/") ?? name.startIndex
    if let colon = name[lastSlash...].lastIndex(of: ":") {
      tag = String(name[name.index(after: colon)...])
      name = name[..<colon]
      guard RepositoryName.isValidTag(tag!) else { return nil }
    }
    guard RepositoryName.isValid(String(name)) else { return nil }
    return (RepositoryName.normalize(String(name)), tag, digest)
  }

  /// A repository normalised as references are; a prefix (`registry.example/tools/`, `acme/`,
  /// `docker.io/`) normalised host first and kept a prefix.
  static func normalizedImageEntry(_ entry: String) -> String {
    guard entry.hasSuffix("/") else { return RepositoryName.normalize(entry) }
    let parts = entry.dropLast().split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
    let first = parts[0]
    let hasHost = first.contains(".") || first.contains(":") || first == "localhost"
    guard hasHost else { return RepositoryName.dockerHub + "/" + entry }
    var host = first.lowercased()
    if host == "index.docker.io" || host == "registry-1.docker.io" { host = RepositoryName.dockerHub }
    return host + "/" + (parts.count > 1 ? parts[1] + "/" : "")
  }
}

/// An http(s) URL reduced to what an allow-list compares: the scheme, the host and port
/// (lower case, without user information, the port as a number and left out when it is the
/// scheme's default) and the path. URLs that could be read two ways are not parsed at all:
/// a backslash, a space or control character, more than one `@`, a port that is not a number,
/// and, in the path, a dot segment (`.`, `..`, either percent-encoded), an encoded `/`, `\` or
/// `%`, or a `;` (servers that decode or strip these before routing would see another path);
/// and any URL libcurl reads otherwise.
public struct CheckURL: Sendable, Equatable {
  public var scheme: String
  public var authority: String
  public var path: String

  public init?(_ url: String) {
    guard url.utf8.count <= 2048, url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }),
          let separator = url.firstRange(of: "://") else { return nil }
    scheme = url[..<separator.lowerBound].lowercased()
    guard scheme == "http" || scheme == "https" else { return nil }
    let rest = url[separator.upperBound...]
    let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
    var host = rest[..<end]
    let ats = host.filter { $0 == "@" }.count
    guard ats <= 1 else { return nil }
    if let at = host.firstIndex(of: "@") { host = host[host.index(after: at)...] }
    guard let authority = CheckURL.authority(host, scheme: scheme) else { return nil }
    self.authority = authority
    let afterHost = rest[end...]
    let pathEnd = afterHost.firstIndex { $0 == "?" || $0 == "#" } ?? afterHost.endIndex
    let path = afterHost[..<pathEnd]
    self.path = path.isEmpty ? "/" : String(path)
    let lower = self.path.lowercased()
    for unsafe in ["%2f", "%5c", "%25", ";"] where lower.contains(unsafe) { return nil }
    for segment in self.path.split(separator: "/", omittingEmptySubsequences: false) where CheckURL.isDotSegment(segment) { return nil }
    // And libcurl, which will send the request, must read the same scheme, host, port and path:
    // where the two parsers could differ, the URL is refused rather than trusted to either.
    guard let curl = CurlURL(url), curl.scheme.lowercased() == scheme, curl.path == self.path,
          curl.host.lowercased() + (curl.port == (scheme == "https" ? 443 : 80) ? "" : ":\(curl.port)") == authority else { return nil }
  }

  /// `host[:port]` or `[v6]:port`, lower-cased, with the port as a number and the scheme's
  /// default left out; nil when the host is empty or has characters no host name has.
  static func authority(_ s: Substring, scheme: String) -> String? {
    var host = s
    var port: Substring?
    if host.hasPrefix("[") {
      guard let close = host.firstIndex(of: "]") else { return nil }
      let after = host[host.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { return nil }
        port = after.dropFirst()
      }
      host = host[...close]
      guard host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
    } else {
      if let colon = host.firstIndex(of: ":") {
        port = host[host.index(after: colon)...]
        host = host[..<colon]
      }
      guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }) else { return nil }
    }
    guard host.count > (host.hasPrefix("[") ? 2 : 0) else { return nil }
    var text = host.lowercased()
    if let port {
      guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0 >= "0" && $0 <= "9" }), let n = Int(port), n > 0, n <= 65535 else { return nil }
      if n != (scheme == "https" ? 443 : 80) { text += ":\(n)" }
    }
    return text
  }

  /// `.` or `..`, each dot written as itself or as `%2e`.
  static func isDotSegment(_ segment: Substring) -> Bool {
    var rest = segment.lowercased()[...]
    var dots = 0
    while !rest.isEmpty {
      if rest.hasPrefix(".") { rest = rest.dropFirst() } else if rest.hasPrefix("%2e") { rest = rest.dropFirst(3) } else { return false }
      dots += 1
    }
    return dots == 1 || dots == 2
  }

  /// Whether a URL lies within this prefix.
  func covers(_ url: CheckURL) -> Bool {
    guard url.scheme == scheme, url.authority == authority else { return false }
    if url.path == path || path.hasSuffix("/") && url.path.hasPrefix(path) { return true }
    return url.path.hasPrefix(path + "/")
  }

  var display: String { String("\(scheme)://\(authority)\(path)".prefix(200)) }
}
