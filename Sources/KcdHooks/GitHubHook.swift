import KcdCrypto
import KcdJSON

/// `POST /hooks/github`: GitHub `package` / `registry_package` webhooks for GHCR container
/// packages, authenticated by `X-Hub-Signature-256` (HMAC-SHA256 of the raw body).
///
/// - `secrets`: the lines of the `github` secret file, each an accepted webhook secret (two
///   lines while a secret is being rotated). Empty lines are dropped: an empty HMAC key would
///   make every signature forgeable.
///
/// `published`/`updated` versions with a tag become push events for
/// `ghcr.io/<owner>/<package>` (lower-cased) with the version's digest; `ping` answers "pong";
/// other events and actions, untagged versions and non-container packages are ignored (200).
/// The delivery id is `X-GitHub-Delivery`. The legacy SHA-1 `X-Hub-Signature` is not accepted.
public struct GitHubHook: HookSource {
  public var name: String { "github" }

  let keys: [[UInt8]]

  public init(secrets: [String]) {
    keys = secrets.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.map { Array($0.utf8) }
  }

  public func handle(_ request: HookRequest) throws(HookRejection) -> HookOutcome {
    guard request.pathRest.isEmpty else { throw HookRejection(404, "no such hook") }
    try authenticate(request)
    switch request.header("x-github-event") {
    case "ping": return .reply(status: 200, message: "pong")
    case "package": return try package(request, member: "package")
    case "registry_package": return try package(request, member: "registry_package")
    default: return HookParsing.ignored("GitHub event ignored")
    }
  }

  /// `sha256=<hex>` against every configured secret, constant time.
  func authenticate(_ request: HookRequest) throws(HookRejection) {
    guard !keys.isEmpty else { throw HookRejection(500, "the github hook has no usable secret") }
    guard let header = request.header("x-hub-signature-256") else { throw .unauthorized("missing X-Hub-Signature-256 header") }
    let value = header.trimmingSpaces()
    guard value.hasPrefix("sha256="), let mac = Digest.fromHex(String(value.dropFirst(7))), mac.count == 32 else {
      throw .unauthorized("X-Hub-Signature-256 is not sha256=<hex>")
    }
    var matched = false
    for key in keys where ConstantTime.equal(Digest.hmacSHA256(key: key, message: request.body), mac) { matched = true }
    guard matched else { throw .unauthorized("X-Hub-Signature-256 does not match") }
  }

  func package(_ request: HookRequest, member: String) throws(HookRejection) -> HookOutcome {
    let payload = try Self.payload(request)
    guard let action = payload["action"].stringValue else { throw .malformed("the package event has no action") }
    guard action == "published" || action == "updated" else { return HookParsing.ignored("package action ignored") }
    let package = payload[member]
    guard package.objectValue != nil else { throw .malformed("the event has no \(member) object") }
    guard Self.isContainer(package) else { return HookParsing.ignored("not a container package; ignored") }
    guard let name = package["name"].stringValue, !name.isEmpty else { throw .malformed("the package has no name") }
    guard let owner = Self.owner(package, payload: payload) else { throw .malformed("the package has no owner") }
    let version = package["package_version"]
    let metadata = version["container_metadata"]
    var tags: [String] = []
    if let tag = metadata["tag"]["name"].stringValue, !tag.isEmpty { tags.append(tag) }
    for t in metadata["tags"].arrayValue ?? [] { if let s = t.stringValue, !s.isEmpty, !tags.contains(s) { tags.append(s) } }
    guard !tags.isEmpty else { return HookParsing.ignored("untagged package version; ignored") }
    // Upstream fixtures carry short placeholder digests; take the first well-formed one.
    let digest = [metadata["tag"]["digest"], metadata["manifest"]["digest"], version["version"], version["name"]]
      .compactMap(\.stringValue).first(where: RepositoryName.isValidDigest)
    guard let delivery = request.header("x-github-delivery"), !delivery.isEmpty else { throw .malformed("missing X-GitHub-Delivery header") }
    let repository = "ghcr.io/\(owner.lowercased())/\(name.lowercased())"
    let events = try tags.enumerated().map { (i, tag) throws(HookRejection) in
      try HookParsing.event(repository: repository, tag: tag, digest: digest, action: .push, source: "github",
                            deliveryID: i == 0 ? delivery : "\(delivery)#\(tag)", now: request.now)
    }
    return .events(events)
  }

  /// JSON, or the `payload` field of a form-encoded body (the signature covers the raw form).
  static func payload(_ request: HookRequest) throws(HookRejection) -> JSON {
    guard HookParsing.mediaType(request.header("content-type")) == "application/x-www-form-urlencoded" else {
      return try HookParsing.object(request.body)
    }
    for field in request.body.split(separator: UInt8(ascii: "&")) where field.starts(with: Array("payload=".utf8)) {
      guard let decoded = FormDecoding.percentDecode(field.dropFirst(8)) else { throw .malformed("the payload field is not URL-encoded") }
      return try HookParsing.object(decoded)
    }
    throw .malformed("the form has no payload field")
  }

  /// `package_type` / `ecosystem` / `registry.type` say CONTAINER (or docker); casing varies.
  static func isContainer(_ package: JSON) -> Bool {
    [package["package_type"], package["ecosystem"], package["registry"]["type"]]
      .compactMap { $0.stringValue?.lowercased() }
      .contains { $0 == "container" || $0 == "docker" }
  }

  /// `owner.login`, else the last path segment of `registry.url`, else `repository.owner.login`.
  static func owner(_ package: JSON, payload: JSON) -> String? {
    if let login = package["owner"]["login"].stringValue, !login.isEmpty { return login }
    if let url = package["registry"]["url"].stringValue, let last = url.split(separator: "/").last, !url.hasSuffix("/"), url.contains("://") {
      return String(last)
    }
    if let login = payload["repository"]["owner"]["login"].stringValue, !login.isEmpty { return login }
    return nil
  }
}

/// `application/x-www-form-urlencoded` values.
enum FormDecoding {
  static func percentDecode(_ bytes: some Collection<UInt8>) -> [UInt8]? {
    let b = Array(bytes)
    var out: [UInt8] = []
    var i = 0
    while i < b.count {
      switch b[i] {
      case UInt8(ascii: "+"): out.append(32); i += 1
      case UInt8(ascii: "%"):
        guard i + 2 < b.count, let v = Digest.fromHex(String(decoding: b[(i + 1)...(i + 2)], as: UTF8.self)) else { return nil }
        out += v; i += 3
      default: out.append(b[i]); i += 1
      }
    }
    return out
  }
}
