import KcdCore
import KcdHTTP
import KcdJSON

/// Where a cached `Authorization` value applies: a bearer token is good for one scope on one
/// registry; a Basic header for the whole registry (scope empty).
struct AuthorizationKey: Hashable, Sendable {
  let host: String
  let scope: String
}

struct CachedAuthorization: Sendable {
  let header: String
  /// Monotonic seconds after which the value is not used again.
  let expires: Double
}

extension OCIRegistryClient {
  /// The header to send before any challenge: a registry token as is, else what an earlier
  /// challenge taught us for this scope or this host.
  func authorization(host: String, scope: String) -> String? {
    if case .registryToken(let token) = options.credentials.credential(forHost: host) { return "Bearer " + token }
    let now = monotonicSeconds()
    return authorizations.withLock { cache in
      for key in [AuthorizationKey(host: host, scope: scope), AuthorizationKey(host: host, scope: "")] {
        guard let entry = cache[key] else { continue }
        if entry.expires > now { return entry.header }
        cache[key] = nil
      }
      return nil
    }
  }

  /// With no usable header for this scope but a known Bearer realm for the host, gets the
  /// token first (an expired token or a new repository then costs no 401 round trip).
  func prepareAuthorization(_ name: ImageName, scope: String) throws(RegistryError) {
    guard authorization(host: name.registry, scope: scope) == nil,
      let known = bearerChallenges.withLock({ $0[name.registry] })
    else { return }
    let token = try fetchToken(known, name: name, scope: scope, credential: options.credentials.credential(forHost: name.registry))
    authorizations.withLock { $0[AuthorizationKey(host: name.registry, scope: scope)] = token }
  }

  /// Answers a 401: a Bearer challenge gets a token from its realm (with our credentials, or
  /// anonymously), a Basic challenge our Basic credentials. Throws when we cannot answer.
  func answerChallenge(_ response: HTTPClientResponse, name: ImageName, scope: String) throws(RegistryError) {
    let challenges = AuthChallenge.parse(headers: response.headers.values("WWW-Authenticate"))
    let credential = options.credentials.credential(forHost: name.registry)
    if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
      let token = try fetchToken(bearer, name: name, scope: scope, credential: credential)
      authorizations.withLock { $0[AuthorizationKey(host: name.registry, scope: scope)] = token }
      var general = bearer.parameters
      general["scope"] = nil
      bearerChallenges.withLock { $0[name.registry] = AuthChallenge(scheme: "bearer", parameters: general) }
      return
    }
    if challenges.contains(where: { $0.scheme == "basic" }) {
      guard case .basic(let username, let password) = credential else {
        throw RegistryError(.unauthorized, "\(name.registry) requires authentication for \(name.path) and no username/password is configured for it", status: 401)
      }
      let header = "Basic " + Base64.encode(Array("\(username):\(password)".utf8))
      authorizations.withLock { $0[AuthorizationKey(host: name.registry, scope: "")] = CachedAuthorization(header: header, expires: .infinity) }
      return
    }
    let offered = challenges.map(\.scheme).joined(separator: ", ")
    throw RegistryError(.unauthorized, "\(name.registry) requires authentication for \(name.path) with a scheme kcd does not speak (\(offered.isEmpty ? "no WWW-Authenticate challenge" : offered))", status: 401)
  }

  /// The token flow of distribution's `token.md`: `GET <realm>?service=…&scope=…` with Basic
  /// credentials (or none, for anonymous pulls), or the OAuth2 refresh-token `POST` for an
  /// identity token. Either `token` or `access_token` may come back; `expires_in` defaults to 60.
  func fetchToken(_ challenge: AuthChallenge, name: ImageName, scope: String, credential: RegistryCredential?) throws(RegistryError) -> CachedAuthorization {
    guard let realm = challenge["realm"], realm.hasPrefix("https://") || realm.hasPrefix("http://") else {
      throw RegistryError(.badResponse, "\(name.registry) sent a Bearer challenge without an http(s) realm", status: 401)
    }
    if realm.hasPrefix("http://"), credential != nil, !ImageName.isPlainHTTP(OCIRegistryClient.authority(realm), insecureRegistries: options.insecureRegistries) {
      throw RegistryError(.unauthorized, "\(name.registry) sends us to a token service over plain HTTP (\(OCIRegistryClient.authority(realm))); refusing to send credentials there", status: 401)
    }
    // The challenge may name a wider scope than we asked for (push for a PUT); ask for both.
    var scopes = [scope]
    if let wanted = challenge["scope"], !wanted.isEmpty, wanted != scope { scopes.append(wanted) }
    var request: HTTPClientRequest
    if case .identityToken(let refreshToken) = credential {
      var form = "grant_type=refresh_token&client_id=kcd&refresh_token=" + PercentDecoding.encode(refreshToken)
      if let service = challenge["service"] { form += "&service=" + PercentDecoding.encode(service) }
      form += "&scope=" + PercentDecoding.encode(scopes.joined(separator: " "))
      request = HTTPClientRequest(method: "POST", url: realm, body: Array(form.utf8))
      request.headers.set("Content-Type", "application/x-www-form-urlencoded")
    } else {
      var query: [String] = []
      if let service = challenge["service"] { query.append("service=" + PercentDecoding.encode(service)) }
      query += scopes.map { "scope=" + PercentDecoding.encode($0) }
      request = HTTPClientRequest(method: "GET", url: realm + (realm.contains("?") ? "&" : "?") + query.joined(separator: "&"))
      if case .basic(let username, let password) = credential {
        request.headers.set("Authorization", "Basic " + Base64.encode(Array("\(username):\(password)".utf8)))
      }
    }
    request.timeout = options.timeout
    request.maximumBodyBytes = 1 << 20
    let response = try exchange(request, registry: name.registry)
    let service = OCIRegistryClient.authority(realm)
    guard response.status == 200 else {
      if response.status == 401 || response.status == 403 {
        let why = credential == nil ? "anonymous access was refused; configure credentials for \(name.registry)" : "it refused our credentials"
        throw RegistryError(.unauthorized, "token service \(service) gave no token for \(name.path): \(why) (\(response.status))", status: response.status)
      }
      throw RegistryError(response.status >= 500 ? .unavailable : .badResponse, "token service \(service) answered \(response.status) for \(name.path)", status: response.status)
    }
    return try OCIRegistryClient.parseToken(response.body, service: service)
  }

  /// `{"token"|"access_token": …, "expires_in": seconds}` → a cached Bearer header that is
  /// dropped shortly before the token runs out (10 % of its life, at most 30 s early).
  static func parseToken(_ body: [UInt8], service: String, now: Double = monotonicSeconds()) throws(RegistryError) -> CachedAuthorization {
    guard let document = try? JSON.parse(body) else { throw RegistryError(.badResponse, "token service \(service) sent no JSON") }
    let token = document["token"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? document["access_token"].stringValue ?? ""
    guard !token.isEmpty else { throw RegistryError(.badResponse, "token service \(service) sent neither token nor access_token") }
    var lifetime = document["expires_in"].doubleValue ?? 60
    if lifetime <= 0 { lifetime = 60 }
    return CachedAuthorization(header: "Bearer " + token, expires: now + lifetime - min(30, lifetime * 0.1))
  }

  /// `https://auth.example:443/token?x` → `auth.example:443`.
  static func authority(_ url: String) -> String {
    var rest = Substring(url)
    if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
    let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
    var authority = rest[..<end]
    if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
    return String(authority).lowercased()
  }
}
