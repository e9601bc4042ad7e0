import KcdHooks

/// What kcd's operator lets KCD editors make kcd do on their behalf when a KCD asks for
/// checks (`checks:` in kcd's config file, docs/verification.md): the URLs Webhook checks may
/// POST to, the images Image checks may run and the service accounts they may run under.
/// A list that is not set allows anything (kcd's rights on behalf of KCD editors, as documented);
/// a list that is set refuses everything else, and the check fails before anything is sent or
/// created, saying which setting refused it.
public struct CheckAllowList: Sendable, Equatable {
  /// URL prefixes (`https://verify.example.com/hooks/`): same scheme, same host and port, and a
  /// path that is the prefix's or lies under it.
  public let webhookURLs: [CheckURL]?
  /// Repositories (`registry.example/tools/verify`), or every repository under a prefix that ends
  /// with `/` (`registry.example/tools/`).
  public let images: [String]?
  /// Service accounts an Image check may name. A check naming none runs without a token and is
  /// always allowed.
  public let serviceAccounts: [String]?

  public init(webhookURLs: [CheckURL]? = nil, images: [String]? = nil, serviceAccounts: [String]? = nil) {
    self.webhookURLs = webhookURLs
    self.images = images.map { $0.map(CheckAllowList.normalizedImageEntry) }
    self.serviceAccounts = serviceAccounts
  }

  public static let any = CheckAllowList()

  /// Why a Webhook check may not POST to `url`, or nil when it may.
  public func refusal(url: String) -> String? {
    guard let allowed = webhookURLs else { return nil }
    guard let target = CheckURL(url) else { return "the URL is not one kcd's checks.webhookURLs can allow (an http or https URL without dot segments)" }
    return allowed.contains { $0.covers(target) } ? nil : "\(target.display) is not in kcd's checks.webhookURLs"
  }

  /// Why an Image check may not run, or nil when it may.
  public func refusal(image check: VerifyStep.ImageCheck) -> String? {
    if let allowed = images {
      let repository = CheckAllowList.repository(of: check.reference)
      let ok = allowed.contains { $0.hasSuffix("/") ? repository.hasPrefix($0) : repository == $0 }
      if !ok { return "the image \(repository) is not in kcd's checks.images" }
    }
    if let allowed = serviceAccounts, let account = check.serviceAccountName, !allowed.contains(account) {
      return "the service account \(account) is not in kcd's checks.serviceAccounts"
    }
    return nil
  }

  /// The normalised repository of an image reference: no digest, no tag.
  static func repository(of reference: String) -> String {
    RepositoryName.normalize(reference)
  }

  /// A repository normalised as references are; a prefix (`registry.example/tools/`,
  /// `acme/`) normalised as a name under it would be, and kept a prefix.
  static func normalizedImageEntry(_ entry: String) -> String {
    guard entry.hasSuffix("/") else { return RepositoryName.normalize(entry) }
    return String(RepositoryName.normalize(entry + "x").dropLast())
  }
}

/// An http(s) URL reduced to what an allow-list compares: the scheme, the host and port
/// (lower case, without user information, the scheme's default port dropped) and the path.
/// URLs that could be read two ways are not parsed at all: a backslash, a space or control
/// character, or a dot segment (`.`, `..`, or either percent-encoded) anywhere in the path.
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
    if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
    guard !host.isEmpty else { return nil }
    var authority = host.lowercased()
    let defaultPort = scheme == "https" ? ":443" : ":80"
    if authority.hasSuffix(defaultPort) { authority.removeLast(defaultPort.count) }
    self.authority = authority
    let afterHost = rest[end...]
    let pathEnd = afterHost.firstIndex { $0 == "?" || $0 == "#" } ?? afterHost.endIndex
    let path = afterHost[..<pathEnd]
    self.path = path.isEmpty ? "/" : String(path)
    for segment in self.path.split(separator: "/", omittingEmptySubsequences: false) where CheckURL.isDotSegment(segment) { return nil }
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
