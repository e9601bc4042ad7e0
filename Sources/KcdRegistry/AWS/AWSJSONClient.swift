import KcdCore
import KcdCrypto
import KcdHTTP
import KcdJSON

/// An AWS service's JSON 1.1 API (`POST /`, `X-Amz-Target: <prefix><Operation>`, SigV4): one
/// signed call, retried with jittered backoff while throttled, on 5xx and on connection
/// failures (re-signed each time), with AWS's error bodies normalised. ECR and EventBridge are
/// each this plus their operations. Calls block the calling thread.
public struct AWSJSONClient: Sendable {
  /// What tells one JSON 1.1 service from another.
  public struct Service: Sendable {
    /// For messages: `ECR`, `EventBridge`.
    public let name: String
    /// The SigV4 signing name: `ecr`, `events`.
    public let signingName: String
    public let targetPrefix: String
    /// The SDKs' service-specific endpoint variable, tried before `AWS_ENDPOINT_URL`.
    public let endpointVariable: String

    public init(name: String, signingName: String, targetPrefix: String, endpointVariable: String) {
      self.name = name
      self.signingName = signingName
      self.targetPrefix = targetPrefix
      self.endpointVariable = endpointVariable
    }

    public static let ecr = Service(name: "ECR", signingName: "ecr", targetPrefix: "AmazonEC2ContainerRegistry_V20150921.", endpointVariable: "AWS_ENDPOINT_URL_ECR")
    public static let eventBridge = Service(name: "EventBridge", signingName: "events", targetPrefix: "AWSEvents.", endpointVariable: "AWS_ENDPOINT_URL_EVENTS")

    /// The service's override variable, else `AWS_ENDPOINT_URL` (how tests reach moto), else `regional`.
    public func endpoint(environment: [String: String], regional: String) -> String {
      for variable in [endpointVariable, "AWS_ENDPOINT_URL"] {
        if let url = environment[variable], !url.isEmpty { return url }
      }
      return regional
    }
  }

  /// How long a throttled or failing call keeps trying.
  public struct Retry: Sendable {
    /// Tries of one call, the first included.
    public var maximumAttempts = 4
    /// First pause; doubled per try, jittered, capped.
    public var baseDelay = 0.25
    public var maximumDelay = 5.0
    public init() {}
  }

  public static let contentType = "application/x-amz-json-1.1"

  public let service: Service
  public var retry = Retry()
  /// Whole-request limit in seconds.
  public var timeout = 30.0
  /// Wall clock for signing (tests pin it).
  public var clock: @Sendable () -> Double = Timestamps.now
  let credentials: any AWSCredentialSource
  let http: HTTPClient

  public init(service: Service, credentials: any AWSCredentialSource, http: HTTPClient) {
    self.service = service
    self.credentials = credentials
    self.http = http
  }

  /// The headers of a call before signing adds `Authorization`, `X-Amz-Date` and, for
  /// temporary keys, `X-Amz-Security-Token`.
  public func headers(_ operation: String, host: String) -> [(name: String, value: String)] {
    [("Content-Type", AWSJSONClient.contentType), ("Host", host), ("X-Amz-Target", service.targetPrefix + operation)]
  }

  /// One signed call; the JSON object of a 2xx answer, or `.null` for an error whose type is in
  /// `tolerated`. `what` names the subject in errors. `repeatable` false: after a timeout or a
  /// broken connection the call may have happened and must not be sent again (a delete).
  /// `onRequest` sees each try's status code or transport failure label (a metric).
  public func call(
    _ operation: String, endpoint: String, region: String, body: JSON, what: String, tolerated: Set<String> = [], repeatable: Bool = true,
    onRequest: ((String) -> Void)? = nil
  ) throws(RegistryError) -> JSON {
    let bytes = body.serialized()
    let target = try AWSJSONClient.split(endpoint, service: service.name)
    let signer = SigV4Signer(region: region, service: service.signingName)
    let unsigned = headers(operation, host: target.host)
    var attempt = 0
    while true {
      attempt += 1
      let signed = signer.sign(SigV4Request(method: "POST", path: target.path, headers: unsigned, body: bytes), credentials: try credentials.credentials(), at: clock())
      var request = HTTPClientRequest(method: "POST", url: target.url, body: bytes)
      for (name, value) in unsigned + signed.headers { request.headers.set(name, value) }
      request.headers.set("Accept", "application/json")
      request.timeout = timeout
      request.maximumBodyBytes = 32 << 20

      let response: HTTPClientResponse
      do {
        response = try http.send(request)
      } catch {
        onRequest?(error.label)
        // A refused connection never reached AWS; after a timeout or a broken connection only
        // a call that may be repeated is tried again.
        let retryable = error.isConnectFailure || (repeatable && (error.isTimeout || error.label == "transport"))
        if attempt < retry.maximumAttempts, retryable {
          pause(attempt)
          continue
        }
        throw RegistryError(.transport, "cannot reach the \(service.name) API at \(target.url) for \(operation) on \(what): \(error.message)")
      }
      onRequest?(String(response.status))
      if (200..<300).contains(response.status) {
        guard let document = try? JSON.parse(response.body), document.objectValue != nil else {
          throw RegistryError(.badResponse, "\(service.name) \(operation) for \(what) answered \(response.status) with a body that is not a JSON object", status: response.status)
        }
        return document
      }
      let failure = AWSErrorBody(response)
      if tolerated.contains(failure.type) { return .null }
      let retryable = failure.isThrottling || response.status == 429 || response.status >= 500
      if retryable && attempt < retry.maximumAttempts {
        pause(attempt)
        continue
      }
      var error = failure.error(service.name, operation, what, status: response.status)
      if retryable {
        error = RegistryError(error.code, error.message + " after \(attempt) attempt(s)", status: response.status)
      }
      throw error
    }
  }

  /// Exponential backoff with jitter, so throttled replicas do not retry in step:
  /// `min(base · 2^(n-1), cap) · [0.5, 1)`.
  func pause(_ attempt: Int) {
    var delay = retry.baseDelay
    for _ in 1..<attempt { delay *= 2 }
    delay = min(delay, retry.maximumDelay) * Double.random(in: 0.5..<1)
    if delay > 0 { OCIRegistryClient.sleep(delay) }
  }

  /// `https://api.ecr.r.amazonaws.com` → the URL to post to, the `Host` to sign (the port
  /// only when it is not the scheme's default, as curl sends it) and the path.
  public static func split(_ endpoint: String, service: String) throws(RegistryError) -> (url: String, host: String, path: String) {
    let scheme: String
    if endpoint.hasPrefix("https://") { scheme = "https" } else if endpoint.hasPrefix("http://") { scheme = "http" } else {
      throw RegistryError(.invalidReference, "\(service) endpoint \(endpoint) is not an http(s) URL")
    }
    let rest = endpoint.dropFirst(scheme.count + 3)
    let authority = String(rest.prefix { $0 != "/" && $0 != "?" })
    guard !authority.isEmpty, !authority.contains("@") else { throw RegistryError(.invalidReference, "\(service) endpoint \(endpoint) has no host") }
    var path = String(rest.dropFirst(authority.count).prefix { $0 != "?" })
    if path.isEmpty { path = "/" }
    var host = authority.lowercased()
    if (scheme == "https" && host.hasSuffix(":443")) || (scheme == "http" && host.hasSuffix(":80")) {
      host = String(host[..<host.lastIndex(of: ":")!])
    }
    return ("\(scheme)://\(authority)\(path)", host, path)
  }
}
