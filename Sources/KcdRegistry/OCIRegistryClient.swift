import KcdCore
import KcdHTTP
import KcdJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A client for the OCI distribution API (`/v2/…`) over libcurl: tag → digest with `HEAD`,
/// manifests byte for byte, tags with pagination, token and Basic auth answered from the
/// registry's own challenge, per-host rate limits and `Retry-After` honoured. Calls block the
/// calling thread (run them on kcd's own threads, never on the Swift concurrency pool).
public final class OCIRegistryClient: RegistryClient, Sendable {
  public struct Options: Sendable {
    public var credentials = RegistryCredentials()
    /// Hosts (`host` or `host:port`) reached over plain HTTP besides loopback.
    public var insecureRegistries: [String] = []
    public var tls = TLSClientOptions()
    public var userAgent = "kcd"
    /// Client-side limit per registry host (≤ 0: none), so polling never bursts a registry.
    public var requestsPerSecond = 10.0
    public var burst = 20
    /// Tries of one request while the registry answers 429 or 503, the first included.
    public var maximumAttempts = 4
    /// The longest wait we sit out ourselves; a longer `Retry-After` goes back to the caller
    /// as `RegistryError.retryAfter` so it can reschedule instead of holding a thread.
    public var maximumRetryWait = 30.0
    /// Wait after a 429/503 without `Retry-After`, doubled on each further attempt.
    public var defaultRetryWait = 1.0
    /// Whole-request limit in seconds.
    public var timeout = 30.0
    /// Called once per HTTP request sent (registry and token requests) with the registry
    /// host and the status code, or a transport failure label (`connect`, `timeout`, `tls`).
    public var onRequest: (@Sendable (_ registryHost: String, _ code: String) -> Void)?

    public init() {}
  }

  public let options: Options
  let http: HTTPClient
  let limits: RegistryRateLimits
  let authorizations = Mutex<[AuthorizationKey: CachedAuthorization]>([:])
  /// The last Bearer challenge per registry host, so a token for a new scope (another
  /// repository, push) is fetched before the request instead of after a wasted 401.
  let bearerChallenges = Mutex<[String: AuthChallenge]>([:])

  public init(options: Options = Options()) {
    self.options = options
    self.http = HTTPClient(tls: options.tls, userAgent: options.userAgent)
    self.limits = RegistryRateLimits(requestsPerSecond: options.requestsPerSecond, burst: options.burst)
  }

  /// `https://host` (or `http://` for loopback and insecure hosts) for an image name.
  public func baseURL(_ name: ImageName) -> String { name.baseURL(insecureRegistries: options.insecureRegistries) }

  /// Scope strings of the token spec: what a request needs the token to allow.
  static func pullScope(_ name: ImageName) -> String { "repository:\(name.path):pull" }
  static func pushScope(_ name: ImageName) -> String { "repository:\(name.path):pull,push" }

  /// One request to the registry API, authenticated: a cached token or Basic header is sent
  /// when we have one; a 401 is answered once from its challenge, then the request repeats.
  func registryRequest(
    _ method: String, _ name: ImageName, url: String, scope: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil,
    maximumBodyBytes: Int = 4 << 20
  ) throws(RegistryError) -> HTTPClientResponse {
    var answered = false
    try prepareAuthorization(name, scope: scope)
    while true {
      var request = HTTPClientRequest(method: method, url: url, headers: headers, body: body)
      request.timeout = options.timeout
      request.maximumBodyBytes = maximumBodyBytes
      if let authorization = authorization(host: name.registry, scope: scope) { request.headers.set("Authorization", authorization) }
      let response = try exchange(request, registry: name.registry)
      guard response.status == 401 else { return response }
      if answered {
        let who = options.credentials.credential(forHost: name.registry) == nil ? "anonymous access to" : "our credentials for"
        throw RegistryError(.unauthorized, "\(name.registry) refused \(who) \(name.path) (401\(OCIRegistryClient.detail(response)))", status: 401)
      }
      answered = true
      try answerChallenge(response, name: name, scope: scope)
    }
  }

  /// Sends one request with the host's rate limit, reports it to `onRequest`, and sits out
  /// 429/503 answers within our bounds (`Retry-After` seconds or date, else doubling waits).
  func exchange(_ request: HTTPClientRequest, registry: String) throws(RegistryError) -> HTTPClientResponse {
    var attempt = 0
    var backoff = options.defaultRetryWait
    while true {
      attempt += 1
      limits.acquire(registry)
      let response: HTTPClientResponse
      do {
        response = try http.send(request)
      } catch {
        options.onRequest?(registry, error.label)
        if error.isTooLarge { throw RegistryError(.tooLarge, "registry \(registry) sent more than \(request.maximumBodyBytes) bytes") }
        throw RegistryError(.transport, "cannot reach registry \(registry): \(error.message)")
      }
      options.onRequest?(registry, String(response.status))
      guard response.status == 429 || response.status == 503 else { return response }
      let retryAfter = RetryAfter.seconds(response.headers["Retry-After"])
      let wait = retryAfter ?? backoff
      if attempt < options.maximumAttempts && wait <= options.maximumRetryWait {
        OCIRegistryClient.sleep(wait)
        backoff *= 2
        continue
      }
      let what = response.status == 429 ? "is rate limiting us (429)" : "is unavailable (503)"
      let when = retryAfter.map { "; it asks to retry after \(OCIRegistryClient.seconds($0))" } ?? ""
      throw RegistryError(response.status == 429 ? .rateLimited : .unavailable,
                          "registry \(registry) \(what) after \(attempt) attempt(s)\(when)", status: response.status, retryAfter: retryAfter)
    }
  }

  /// The error for an unexpected answer to `what` (e.g. `team/app:v1`).
  func failure(_ response: HTTPClientResponse, _ name: ImageName, _ what: String) -> RegistryError {
    let detail = OCIRegistryClient.detail(response)
    switch response.status {
    case 404: return RegistryError(.notFound, "\(what) not found in \(name.registry)\(detail)", status: 404)
    case 403: return RegistryError(.denied, "\(name.registry) denied access to \(what) (403\(detail))", status: 403)
    case 500...599: return RegistryError(.unavailable, "\(name.registry) failed on \(what) (\(response.status)\(detail))", status: response.status)
    default: return RegistryError(.badResponse, "\(name.registry) answered \(response.status) for \(what)\(detail)", status: response.status)
    }
  }

  /// `: <code>: <message>` from a distribution error body, short and printable, or "".
  static func detail(_ response: HTTPClientResponse) -> String {
    guard let first = (try? JSON.parse(response.body))?["errors"][0], let message = first["message"].stringValue else { return "" }
    let code = first["code"].stringValue.map { $0 + ": " } ?? ""
    let text = String((code + message).unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(200).map(Character.init))
    return text.isEmpty ? "" : ": " + text
  }

  static func seconds(_ value: Double) -> String {
    guard value.isFinite, value >= 0, value < 1e9 else { return "a long time" }
    return value == value.rounded() ? "\(Int(value)) s" : "\(Double(Int(value * 10)) / 10) s"
  }

  static func sleep(_ seconds: Double) {
    let end = monotonicSeconds() + seconds
    while true {
      let left = end - monotonicSeconds()
      if left <= 0 { return }
      usleep(UInt32(min(left, 1) * 1_000_000))
    }
  }
}
