import KcdCore
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

  public static let targetPrefix = AWSJSONClient.Service.ecr.targetPrefix
  public static let contentType = AWSJSONClient.contentType

  public let options: Options
  /// Signing, retries and error normalisation.
  let aws: AWSJSONClient

  /// `credentials` nil: the default chain over `options.environment`.
  public init(options: Options = Options(), credentials: (any AWSCredentialSource)? = nil) {
    self.options = options
    let http = HTTPClient(tls: options.tls, userAgent: options.userAgent)
    var aws = AWSJSONClient(service: .ecr, credentials: credentials ?? AWSCredentialChain(environment: options.environment, http: http), http: http)
    aws.retry.maximumAttempts = options.maximumAttempts
    aws.retry.baseDelay = options.retryBaseDelay
    aws.retry.maximumDelay = options.maximumRetryDelay
    aws.timeout = options.timeout
    aws.clock = options.clock
    self.aws = aws
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
    // After a timeout a delete may have happened: a second try would find nothing to delete
    // and report a failure.
    try aws.call(operation, endpoint: endpoint(for: repository), region: repository.region, body: body, what: what, tolerated: tolerated,
                 repeatable: operation != "BatchDeleteImage", onRequest: options.onRequest.map { report in { report(repository.host, $0) } })
  }
}
