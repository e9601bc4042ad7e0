import KcdCore
import KcdHTTP
import KcdJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A Kubernetes API client over libcurl: authentication (refreshed on 401), a client-side
/// rate limit, and client-go's retry rule (429/5xx that carry Retry-After, at most 10 times).
/// Calls block the calling thread.
public final class KubeClient: Sendable {
  public let connection: KubeConnection
  public let budget: RequestBudget
  let transport: Mutex<Transport>
  /// Called once per finished request with the verb and the result label (status or "transport").
  let observer: @Sendable (String, String) -> Void
  public let fieldManager: String
  /// Sent as User-Agent: `kcd/<version>`, with the replica's identity when there are several
  /// (the API server's audit log then says which replica wrote what).
  public let userAgent: String

  struct Transport {
    var http: HTTPClient
    var clientCertificate: [UInt8]?
  }

  public init(connection: KubeConnection, qps: Double = 50, burst: Int = 100, fieldManager: String = "kcd", identity: String? = nil,
              onRateChange: @escaping @Sendable (Double) -> Void = { _ in },
              observer: @escaping @Sendable (String, String) -> Void = { _, _ in }) {
    self.connection = connection
    self.budget = RequestBudget(qps: qps, burst: burst, onRateChange: onRateChange)
    let userAgent = "kcd/\(KcdVersion.current)" + (identity.map { " (\($0))" } ?? "")
    self.userAgent = userAgent
    self.transport = Mutex(Transport(http: HTTPClient(tls: connection.tls, userAgent: userAgent)))
    self.observer = observer
    self.fieldManager = fieldManager
  }

  /// The HTTP client to use now (rebuilt when an exec plugin issues a new client certificate).
  func http() throws(KubeError) -> HTTPClient {
    let issued = try connection.credentials.clientCertificate()
    return transport.withLock { t in
      if let (cert, key) = issued, t.clientCertificate != cert {
        var tls = connection.tls
        tls.clientCertificatePEM = cert
        tls.clientKeyPEM = key
        t.http = HTTPClient(tls: tls, userAgent: userAgent)
        t.clientCertificate = cert
      }
      return t.http
    }
  }

  static func verb(_ method: String, _ path: String, _ query: [(String, String)]) -> String {
    switch method {
    case "GET": return query.contains { $0.0 == "watch" } ? "watch" : "get"
    case "POST": return "create"
    case "PUT": return "update"
    case "PATCH": return "patch"
    case "DELETE": return "delete"
    default: return method.lowercased()
    }
  }

  func url(_ path: String, _ query: [(String, String)]) -> String {
    var u = connection.server + path
    if !query.isEmpty {
      u += "?" + query.map { "\(PercentDecoding.encode($0.0))=\(PercentDecoding.encode($0.1))" }.joined(separator: "&")
    }
    return u
  }

  /// One API call with retries; returns the raw response body of a 2xx. Retries (client-go's
  /// rule: 429/5xx with Retry-After, at most 10) and budget waits never pass `options.deadline`:
  /// past it the error carries the server's Retry-After for the caller to pass on.
  public func raw(
    _ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil, contentType: String = "application/json",
    timeout: Double = 30, options: KubeCallOptions = .normal
  ) throws(KubeError) -> [UInt8] {
    let verb = KubeClient.verb(method, path, query)
    var attempt = 0
    var refreshed = false
    while true {
      attempt += 1
      try budget.acquire(options.priority, deadline: options.deadline)
      var request = HTTPClientRequest(method: method, url: url(path, query), body: body)
      request.timeout = options.deadline.map { max(0.5, min(timeout, $0 - monotonicSeconds())) } ?? timeout
      request.headers.set("Accept", "application/json")
      if body != nil { request.headers.set("Content-Type", contentType) }
      if let auth = try connection.credentials.authorization() { request.headers.set("Authorization", auth) }
      let client = try http()
      let response: HTTPClientResponse
      do {
        response = try client.send(request)
      } catch {
        let e = error
        observer(verb, "transport")
        // Connection-level failures of reads get client-go's artificial 1 s Retry-After.
        if method == "GET" && attempt < 10 && (e.isConnectFailure || e.isTimeout) && options.allows(wait: 1) {
          usleep(1_000_000)
          continue
        }
        throw KubeError.transport("\(method) \(path): \(e.message)", tooLarge: e.isTooLarge)
      }
      observer(verb, String(response.status))
      if (200..<300).contains(response.status) {
        budget.succeeded()
        return response.body
      }
      let retryAfter = response.headers["Retry-After"].flatMap(Double.init).flatMap { $0.isFinite && $0 >= 0 ? min($0, 3600) : nil }
      let error = KubeError(status: response.status, body: response.body, retryAfter: retryAfter)
      if response.status == 401 && !refreshed && connection.credentials.invalidate() {
        refreshed = true
        continue
      }
      if response.status == 429 || (response.status >= 500 && retryAfter != nil) { budget.pushback(retryAfter: retryAfter ?? 1) }
      if (response.status == 429 || response.status >= 500), let wait = retryAfter, attempt < 10, !error.isExpired {
        let backoff = min(30, 0.1 * Double(1 << min(attempt, 8)))
        let sleep = min(max(wait, backoff), 60)
        guard options.waitsOnRetryAfter, options.allows(wait: sleep) else { throw error }
        usleep(UInt32(sleep * 1_000_000))
        continue
      }
      throw error
    }
  }

  /// One API call returning JSON.
  public func request(
    _ method: String, _ path: String, query: [(String, String)] = [], body: JSON? = nil, contentType: String = "application/json",
    options: KubeCallOptions = .normal
  ) throws(KubeError) -> JSON {
    try requestObject(method, path, query: query, body: body, contentType: contentType, options: options).object
  }

  /// One API call returning an object, parsed leniently: parts nested deeper than
  /// `KubeClient.keptDepth` are dropped and the result says so (a hostile object then fails
  /// alone, never the client).
  public func requestObject(
    _ method: String, _ path: String, query: [(String, String)] = [], body: JSON? = nil, contentType: String = "application/json",
    options: KubeCallOptions = .normal
  ) throws(KubeError) -> ListedObject {
    let bytes = try raw(method, path, query: query, body: body?.serialized(), contentType: contentType, options: options)
    if bytes.isEmpty { return ListedObject(object: .null) }
    do {
      let parsed = try JSON.parse(bytes, options: JSONParseOptions(truncateBeyondDepth: KubeClient.keptDepth, attributionDepth: 0))
      return ListedObject(object: parsed.value, truncated: !parsed.truncated.isEmpty)
    } catch {
      throw KubeError.transport("\(method) \(path): response is not JSON: \(error)")
    }
  }
}

/// kcd's version, reported in the User-Agent, `/version` and `kcd version`.
public enum KcdVersion {
  public static let current = "0.1.0"
}
