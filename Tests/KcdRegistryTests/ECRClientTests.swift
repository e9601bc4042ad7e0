import KcdCore
import KcdCrypto
import KcdHTTP
import KcdJSON
import KcdRegistry
import KcdTestSupport
import Testing

/// The ECR client against a scripted local endpoint: the exact wire format (target, content
/// type, body, a signature the server re-verifies), retries of throttling and 5xx only,
/// error normalisation, and per-image failures inside a 200.
@Suite(.timeLimit(.minutes(2)))
struct ECRClientTests {
  static let repository = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/nearmap/photos"
  static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
  static let token = "session-token-of-the-pod"
  static let pinned = Timestamps.parse("2015-08-30T12:36:00Z")!

  static func client(_ fake: AWSFakeServer, attempts: Int = 4, clock: (@Sendable () -> Double)? = nil) -> ECRClient {
    var options = ECRClient.Options(environment: [:])
    options.endpoint = fake.url
    options.maximumAttempts = attempts
    options.retryBaseDelay = 0.01
    options.clock = clock ?? { pinned }
    let credentials = AWSSigningCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: secret, sessionToken: token)
    return ECRClient(options: options, credentials: StaticAWSCredentials(credentials))
  }

  static func target(_ request: HTTPRequest) -> String {
    String((request.headers["X-Amz-Target"] ?? "").dropFirst(ECRClient.targetPrefix.count))
  }

  static func body(_ request: HTTPRequest) -> JSON { (try? JSON.parse(request.body)) ?? .null }

  static func awsError(_ status: Int, _ type: String, _ message: String) -> HTTPResponse {
    .json(status, ["__type": .string(type), "message": .string(message)])
  }

  @Test("DescribeImages is a signed JSON 1.1 POST: target, content type, body, token, and a signature the server verifies")
  func wireFormat() throws {
    let fake = try AWSFakeServer { _, _ in
      .json(200, ["imageDetails": [["imageDigest": .string(ECRTestManifest.oci("a").digest), "imageTags": ["v1", "env-dev"],
                                    "imageManifestMediaType": .string(ManifestMediaType.ociManifest)]]])
    }
    defer { fake.stop() }
    let resolved = try Self.client(fake).resolve(repository: Self.repository, tag: "v1")
    #expect(resolved == ResolvedManifest(digest: ECRTestManifest.oci("a").digest, mediaType: ManifestMediaType.ociManifest))

    let request = try #require(fake.requests.first)
    #expect(fake.requests.count == 1)
    #expect(request.method == "POST" && request.target == "/")
    #expect(request.headers["X-Amz-Target"] == "AmazonEC2ContainerRegistry_V20150921.DescribeImages")
    #expect(request.headers["Content-Type"] == "application/x-amz-json-1.1")
    #expect(request.headers["Host"] == "127.0.0.1:\(fake.server.port)")
    #expect(request.headers["X-Amz-Date"] == "20150830T123600Z")
    #expect(request.headers["X-Amz-Security-Token"] == Self.token)
    #expect(Self.body(request) == ["registryId": "123456789012", "repositoryName": "nearmap/photos", "imageIds": [["imageTag": "v1"]]])
    let authorization = try #require(request.headers["Authorization"])
    #expect(authorization.hasPrefix(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-2/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature="))
    #expect(SigV4Check.isValid(request, secret: Self.secret, token: Self.token))
    #expect(!SigV4Check.isValid(request, secret: Self.secret + "x", token: Self.token))
  }

  @Test("ThrottlingException twice, then success: three requests, each re-signed with its own date")
  func throttlingIsRetried() throws {
    let fake = try AWSFakeServer { _, index in
      index < 2 ? Self.awsError(400, "ThrottlingException", "Rate exceeded")
        : .json(200, ["imageDetails": [["imageDigest": .string(ECRTestManifest.oci("b").digest), "imageTags": ["v2"]]]])
    }
    defer { fake.stop() }
    let tick = ECRLocked(0.0)
    let clock: @Sendable () -> Double = { Self.pinned + tick.with { (t: inout Double) -> Double in t += 1; return t } }
    let digest = try Self.client(fake, clock: clock).resolve(repository: Self.repository, tag: "v2").digest
    #expect(digest == ECRTestManifest.oci("b").digest)
    let requests = fake.requests
    #expect(requests.count == 3)
    #expect(requests.map { $0.headers["X-Amz-Date"] ?? "" } == ["20150830T123601Z", "20150830T123602Z", "20150830T123603Z"])
    #expect(requests.allSatisfy { SigV4Check.isValid($0, secret: Self.secret, token: Self.token) })
  }

  @Test("throttled on every try: rate-limited error after exactly maximumAttempts requests")
  func throttlingIsBounded() throws {
    let fake = try AWSFakeServer { _, _ in .text(429, "slow down") }
    defer { fake.stop() }
    let e = try #require(registryError { _ = try Self.client(fake, attempts: 3).tags(repository: Self.repository) })
    #expect(e.isRateLimited && e.status == 429)
    #expect(e.message.contains("after 3 attempt(s)") && e.message.contains("DescribeImages"), "\(e)")
    #expect(fake.requests.count == 3)
  }

  @Test("ServerException (500) is retried; RepositoryNotFoundException is not, and keeps its type and message")
  func retryOnlyTemporaryErrors() throws {
    let flaky = try AWSFakeServer { _, index in
      index == 0 ? Self.awsError(500, "ServerException", "internal") : .json(200, ["imageDetails": [["imageDigest": .string(ECRTestManifest.oci("c").digest)]]])
    }
    defer { flaky.stop() }
    #expect(try Self.client(flaky).resolve(repository: Self.repository, tag: "v3").digest == ECRTestManifest.oci("c").digest)
    #expect(flaky.requests.count == 2)

    let missing = try AWSFakeServer { _, _ in
      Self.awsError(400, "RepositoryNotFoundException", "The repository with name 'nearmap/photos' does not exist in the registry with id '123456789012'")
    }
    defer { missing.stop() }
    let e = try #require(registryError { _ = try Self.client(missing).resolve(repository: Self.repository, tag: "v1") })
    #expect(e.isNotFound && e.status == 400)
    #expect(e.message == "ECR DescribeImages failed for nearmap/photos:v1 (400: RepositoryNotFoundException: The repository with name 'nearmap/photos' does not exist in the registry with id '123456789012')")
    #expect(missing.requests.count == 1)
  }

  @Test("error types are normalised: x-amzn-ErrorType wins, namespace and suffix cut; XML <Code> bodies understood")
  func errorTypeNormalisation() throws {
    let fake = try AWSFakeServer { request, _ in
      switch Self.target(request) {
      case "DescribeImages":
        var headers = HTTPHeaders()
        headers.set("x-amzn-ErrorType", "com.amazonaws.ecr#AccessDeniedException:http://internal.amazon.com/coral/com.amazonaws.ecr/")
        return .json(400, ["__type": "SomethingElse", "message": "User is not authorized to perform ecr:DescribeImages"], headers: headers)
      case "BatchDeleteImage":
        return .text(403, "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error></Errors></ErrorResponse>")
      default:
        return .json(400, ["__type": "com.amazonaws.ecr#ImageTagAlreadyExistsException", "message": "The image tag 'env-prod' already exists"])
      }
    }
    defer { fake.stop() }
    let client = Self.client(fake)
    let denied = try #require(registryError { _ = try client.tags(repository: Self.repository) })
    #expect(denied.isDenied)
    #expect(denied.message == "ECR DescribeImages failed for nearmap/photos (400: AccessDeniedException: User is not authorized to perform ecr:DescribeImages)")
    let unsigned = try #require(registryError { try client.removeTag(repository: Self.repository, tag: "env-dev") })
    #expect(unsigned.isUnauthorized && unsigned.status == 403)
    #expect(unsigned.message == "ECR BatchDeleteImage failed for nearmap/photos:env-dev (403: SignatureDoesNotMatch: The request signature we calculated does not match)")
    let immutable = try #require(registryError { try client.putImage(ECRRepository(repository: Self.repository), manifest: "{}", mediaType: nil, tag: "env-prod") })
    #expect(immutable.isDenied)
    #expect(immutable.message.hasSuffix("(400: ImageTagAlreadyExistsException: The image tag 'env-prod' already exists)"))
    #expect(fake.requests.count == 3)
  }

  @Test("transport failures are retried, then reported as transport errors naming the endpoint")
  func transportFailure() throws {
    let fake = try AWSFakeServer { _, _ in .text(200, "{}") }
    let url = fake.url
    fake.stop()
    var options = ECRClient.Options(environment: [:])
    options.endpoint = url
    options.retryBaseDelay = 0.01
    options.maximumAttempts = 2
    let codes = ECRLocked<[String]>([])
    options.onRequest = { host, code in codes.with { $0.append(host + " " + code) } }
    let client = ECRClient(options: options, credentials: StaticAWSCredentials(.init(accessKeyID: "AKID", secretAccessKey: "s")))
    let e = try #require(registryError { _ = try client.tags(repository: Self.repository) })
    #expect(e.isTemporary && e.label == "transport")
    #expect(e.message.contains(url), "\(e)")
    #expect(codes.current == Array(repeating: "123456789012.dkr.ecr.eu-west-2.amazonaws.com connect", count: 2))
  }
}
