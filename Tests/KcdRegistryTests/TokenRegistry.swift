import KcdCore
import KcdCrypto
import KcdHTTP
import KcdJSON

/// A registry with its own token service (distribution `token.md`): `/token` issues a token
/// for the scopes asked, to the configured user or (if allowed) anonymously for pulls only;
/// `/v2/…` accepts only a token that grants the action, otherwise answers 401 with a Bearer
/// challenge whose `service` has a space and whose `scope` has a comma in it.
final class TokenRegistry: Sendable {
  struct Settings: Sendable {
    var username = "robot"
    var password = "t0ken, pa55"
    var allowAnonymousPull = false
    /// `token` or `access_token`: registries send either.
    var tokenField = "token"
    var expiresIn: Int? = 300
    var digestOnHead = true
    var wrongDigestOnGet = false
    /// The identity token (OAuth2 refresh token) the realm accepts in its POST form.
    var refreshToken = "refresh-4f2a"
  }

  static let service = "fake registry"
  let settings: Shared<Settings>
  /// token → granted `repository:action` pairs.
  let grants: Shared<[String: Set<String>]>
  let manifests: Shared<[String: (bytes: [UInt8], mediaType: String)]>
  let fake: FakeRegistry

  init(_ settings: Settings = Settings()) throws {
    let settings = Shared(settings)
    let grants = Shared<[String: Set<String>]>([:])
    let manifests = Shared<[String: (bytes: [UInt8], mediaType: String)]>([:])
    self.settings = settings
    self.grants = grants
    self.manifests = manifests
    fake = try FakeRegistry { request, base in
      if request.path == "/token" { return TokenRegistry.issue(request, settings.current, grants) }
      return TokenRegistry.serve(request, base: base, settings.current, grants, manifests)
    }
  }

  var host: String { fake.host }
  var tokenRequests: [SeenRequest] { fake.requests.filter { $0.path == "/token" } }

  func store(tag: String, bytes: [UInt8], mediaType: String) { manifests.with { $0[tag] = (bytes, mediaType) } }

  static func issue(_ request: HTTPRequest, _ s: Settings, _ grants: Shared<[String: Set<String>]>) -> HTTPResponse {
    if request.method == "POST" { return refresh(request, s, grants) }
    guard request.queryValue("service") == service else { return .json(400, ["details": "unknown service"]) }
    var user: String?
    if let auth = request.headers["Authorization"] {
      guard auth.hasPrefix("Basic "), let raw = Base64.decode(String(auth.dropFirst(6))),
        String(decoding: raw, as: UTF8.self) == "\(s.username):\(s.password)"
      else { return .json(401, ["details": "bad credentials"]) }
      user = s.username
    } else if !s.allowAnonymousPull {
      return .json(401, ["details": "authentication required"])
    }
    return grant(request.query.filter({ $0.name == "scope" }).map(\.value), pushAllowed: user != nil, field: s.tokenField, s, grants)
  }

  /// The OAuth2 form (`oauth.md`): `grant_type=refresh_token`, the identity token, and the
  /// scopes space-separated; answered with `access_token`.
  static func refresh(_ request: HTTPRequest, _ s: Settings, _ grants: Shared<[String: Set<String>]>) -> HTTPResponse {
    let form = HTTPRequest(method: "GET", target: "/?" + String(decoding: request.body, as: UTF8.self))
    guard request.headers["Content-Type"] == "application/x-www-form-urlencoded", form.queryValue("grant_type") == "refresh_token",
      form.queryValue("service") == service, form.queryValue("client_id") == "kcd"
    else { return .json(400, ["error": "invalid_request"]) }
    guard form.queryValue("refresh_token") == s.refreshToken else { return .json(401, ["error": "invalid_grant"]) }
    let scopes = (form.queryValue("scope") ?? "").split(separator: " ").map(String.init)
    return grant(scopes, pushAllowed: true, field: "access_token", s, grants)
  }

  static func grant(_ scopes: [String], pushAllowed: Bool, field: String, _ s: Settings, _ grants: Shared<[String: Set<String>]>) -> HTTPResponse {
    var granted: Set<String> = []
    for scope in scopes {
      let parts = scope.split(separator: ":")
      guard parts.count == 3, parts[0] == "repository" else { continue }
      for action in parts[2].split(separator: ",") where pushAllowed || action == "pull" { granted.insert("\(parts[1]):\(action)") }
    }
    let token = "tok-" + Digest.hex(SecureRandom.bytes(8))
    grants.with { $0[token] = granted }
    var body: JSON = [field: .string(token)]
    if let e = s.expiresIn { body["expires_in"] = .int(Int64(e)) }
    return .json(200, body)
  }

  static func serve(_ request: HTTPRequest, base: String, _ s: Settings, _ grants: Shared<[String: Set<String>]>,
                    _ manifests: Shared<[String: (bytes: [UInt8], mediaType: String)]>) -> HTTPResponse {
    let segments = request.pathSegments.map(String.init)
    guard segments.count >= 4, segments[0] == "v2" else { return RegistryResponses.error(404, "NOT_FOUND", "no route") }
    let kind = segments[segments.count - 2]
    let repository = segments[1..<(segments.count - 2)].joined(separator: "/")
    let action = request.method == "PUT" ? "push" : "pull"
    let token = request.headers["Authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
    guard let token, grants.current[token]?.contains("\(repository):\(action)") == true else {
      var headers = HTTPHeaders()
      let actions = action == "push" ? "pull,push" : "pull"
      headers.set("WWW-Authenticate", #"Bearer realm="\#(base)/token",service="\#(service)",scope="repository:\#(repository):\#(actions)""#)
      return RegistryResponses.error(401, "UNAUTHORIZED", "authentication required", headers: headers)
    }
    let reference = segments[segments.count - 1]
    switch (kind, request.method) {
    case ("tags", "GET"):
      let tags = manifests.current.keys.sorted().map { JSON.string($0) }
      return .json(200, ["name": .string(repository), "tags": .array(tags)])
    case ("manifests", "PUT"):
      let digest = "sha256:" + Digest.hex(Digest.sha256(request.body))
      manifests.with { $0[reference] = (request.body, request.headers["Content-Type"] ?? "") }
      var headers = HTTPHeaders()
      headers.set("Docker-Content-Digest", digest)
      return HTTPResponse(status: 201, headers: headers)
    case ("manifests", "GET"), ("manifests", "HEAD"):
      let stored = manifests.current
      guard let m = stored[reference] ?? stored.values.first(where: { "sha256:" + Digest.hex(Digest.sha256($0.bytes)) == reference }) else { return RegistryResponses.error(404, "MANIFEST_UNKNOWN", "manifest unknown") }
      var digest: String? = "sha256:" + Digest.hex(Digest.sha256(m.bytes))
      if request.method == "HEAD" && !s.digestOnHead { digest = nil }
      if request.method == "GET" && s.wrongDigestOnGet { digest = "sha256:" + String(repeating: "0", count: 64) }
      return RegistryResponses.manifest(m.bytes, mediaType: m.mediaType, digest: digest)
    default:
      return RegistryResponses.error(405, "UNSUPPORTED", "unsupported")
    }
  }
}
