import KcdCore
import KcdCrypto
import KcdHTTP
import KcdJSON

/// Amazon ECR through its own JSON 1.1 API (`POST /`, `X-Amz-Target:
/// AmazonEC2ContainerRegistry_V20150921.<Operation>`, SigV4 with signing name `ecr`), which
/// can delete a tag and re-tag without moving layers — what the distribution API cannot.
/// Calls block the calling thread (run them on kcd's own threads, never on the Swift
/// concurrency pool). Throttling, 5xx and connection failures are retried, re-signed each time.
public final class ECRClient: RegistryClient, Sendable {
  public struct Options: Sendable {
    /// Read for `AWS_ENDPOINT_URL_ECR` / `AWS_ENDPOINT_URL` and, when no credential source is
    /// given, for the default credential chain.
    public var environment: [String: String]
    /// The API endpoint for every repository; nil: the environment's, else the regional one.
    public var endpoint: String?
    public var tls = TLSClientOptions()
    public var userAgent = "kcd"
    /// Tries of one call while it is throttled or fails temporarily, the first included.
    public var maximumAttempts = 4
    /// First pause after a throttled or failed try; doubled per try, jittered, capped.
    public var retryBaseDelay = 0.25
    public var maximumRetryDelay = 5.0
    /// Whole-request limit in seconds.
    public var timeout = 30.0
    /// Called once per HTTP request with the registry host and the status code, or a
    /// transport failure label (`connect`, `timeout`, `tls`) — the registry metric.
    public var onRequest: (@Sendable (_ registryHost: String, _ code: String) -> Void)?
    /// Wall clock for signing (tests pin it).
    public var clock: @Sendable () -> Double = Timestamps.now

    public init(environment: [String: String] = ProcessRunner.currentEnvironment()) {
      self.environment = environment
    }
  }

  public static let targetPrefix = "AmazonEC2ContainerRegistry_V20150921."
  public static let contentType = "application/x-amz-json-1.1"

  public let options: Options
  let credentials: any AWSCredentialSource
  let http: HTTPClient

  /// `credentials` nil: the default chain over `options.environment`.
  public init(options: Options = Options(), credentials: (any AWSCredentialSource)? = nil) {
    self.options = options
    self.http = HTTPClient(tls: options.tls, userAgent: options.userAgent)
    self.credentials = credentials ?? AWSCredentialChain(environment: options.environment, http: HTTPClient(tls: options.tls, userAgent: options.userAgent))
  }

  /// For `RegistryClientFactory(ecr:)`: one client serves every ECR repository (the region
  /// comes from each repository's host).
  public var factory: @Sendable (ImageName) throws(RegistryError) -> any RegistryClient {
    { [self] (name: ImageName) throws(RegistryError) -> any RegistryClient in
      _ = try ECRRepository(name)
      return self
    }
  }

  /// Where `repository`'s API calls go.
  public func endpoint(for repository: ECRRepository) -> String {
    options.endpoint ?? repository.endpoint(environment: options.environment)
  }

  /// One signed call; returns the JSON object of a 2xx answer, or `.null` for an error whose
  /// type is in `tolerated`. `what` names the subject in errors (`nearmap/photos:v1`).
  func call(_ operation: String, _ repository: ECRRepository, _ body: JSON, what: String, tolerated: Set<String> = []) throws(RegistryError) -> JSON {
    let bytes = body.serialized()
    let target = try ECRClient.split(endpoint(for: repository))
    let signer = SigV4Signer(region: repository.region, service: "ecr")
    var attempt = 0
    while true {
      attempt += 1
      let signed = signer.sign(
        SigV4Request(
          method: "POST", path: target.path,
          headers: [("Content-Type", ECRClient.contentType), ("Host", target.host), ("X-Amz-Target", ECRClient.targetPrefix + operation)],
          body: bytes),
        credentials: try credentials.credentials(), at: options.clock())
      var request = HTTPClientRequest(method: "POST", url: target.url, body: bytes)
      request.headers.set("Host", target.host)
      request.headers.set("Content-Type", ECRClient.contentType)
      request.headers.set("X-Amz-Target", ECRClient.targetPrefix + operation)
      for (name, value) in signed.headers { request.headers.set(name, value) }
      request.headers.set("Accept", "application/json")
      request.timeout = options.timeout
      request.maximumBodyBytes = 32 << 20

      let response: HTTPClientResponse
      do {
        response = try http.send(request)
      } catch {
        options.onRequest?(repository.host, error.label)
        // A refused connection never reached ECR. After a timeout or a broken connection the
        // call may have happened, which only a delete cannot repeat harmlessly (the second try
        // would find nothing to delete and report a failure).
        let retryable = error.isConnectFailure || (operation != "BatchDeleteImage" && (error.isTimeout || error.label == "transport"))
        if attempt < options.maximumAttempts, retryable {
          pause(attempt)
          continue
        }
        throw RegistryError(.transport, "cannot reach the ECR API at \(target.url) for \(operation) on \(what): \(error.message)")
      }
      options.onRequest?(repository.host, String(response.status))
      if (200..<300).contains(response.status) {
        guard let document = try? JSON.parse(response.body), document.objectValue != nil else {
          throw RegistryError(.badResponse, "ECR \(operation) for \(what) answered \(response.status) with a body that is not a JSON object", status: response.status)
        }
        return document
      }
      let failure = ECRErrorBody(response)
      if tolerated.contains(failure.type) { return .null }
      let retryable = failure.isThrottling || response.status == 429 || response.status >= 500
      if retryable && attempt < options.maximumAttempts {
        pause(attempt)
        continue
      }
      var error = failure.error(operation, what, status: response.status)
      if retryable {
        error = RegistryError(error.code, error.message + " after \(attempt) attempt(s)", status: response.status)
      }
      throw error
    }
  }

  /// Exponential backoff with jitter, so throttled replicas do not retry in step:
  /// `min(base · 2^(n-1), cap) · [0.5, 1)`.
  func pause(_ attempt: Int) {
    var delay = options.retryBaseDelay
    for _ in 1..<attempt { delay *= 2 }
    delay = min(delay, options.maximumRetryDelay) * Double.random(in: 0.5..<1)
    if delay > 0 { OCIRegistryClient.sleep(delay) }
  }

  /// `https://api.ecr.r.amazonaws.com` → the URL to post to, the `Host` to sign (the port
  /// only when it is not the scheme's default, as curl sends it) and the path.
  static func split(_ endpoint: String) throws(RegistryError) -> (url: String, host: String, path: String) {
    let scheme: String
    if endpoint.hasPrefix("https://") { scheme = "https" } else if endpoint.hasPrefix("http://") { scheme = "http" } else {
      throw RegistryError(.invalidReference, "ECR endpoint \(endpoint) is not an http(s) URL")
    }
    let rest = endpoint.dropFirst(scheme.count + 3)
    let authority = String(rest.prefix { $0 != "/" && $0 != "?" })
    guard !authority.isEmpty, !authority.contains("@") else { throw RegistryError(.invalidReference, "ECR endpoint \(endpoint) has no host") }
    var path = String(rest.dropFirst(authority.count).prefix { $0 != "?" })
    if path.isEmpty { path = "/" }
    var host = authority.lowercased()
    if (scheme == "https" && host.hasSuffix(":443")) || (scheme == "http" && host.hasSuffix(":80")) {
      host = String(host[..<host.lastIndex(of: ":")!])
    }
    return ("\(scheme)://\(authority)\(path)", host, path)
  }
}
