import KcdCore
import KcdCrypto
import KcdHTTP
import KcdJSON
import KcdRegistry
import KcdTestSupport
import Synchronization
import Testing

@testable import KcdSigning

/// Signatures of an ECR repository: read from ECR's registry endpoint (here Debian's
/// docker-registry, holding the scenario's image and signatures) with the token ECR's API
/// gives (here a loopback stand-in for the API: moto answers GetAuthorizationToken with a fixed
/// `proxyEndpoint` on amazonaws.com, which a test cannot serve).
@Suite(.timeLimit(.minutes(3)))
struct ECRSignatureTests {
  static let repository = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app"

  /// An ECR API answering GetAuthorizationToken with the scenario registry's credentials, or
  /// with `status` when it is not 200; counts the calls.
  final class Calls: Sendable {
    let list = Mutex<[String]>([])
    var all: [String] { list.withLock { $0 } }
  }

  final class TokenAPI: Sendable {
    let server: HTTPServer
    let calls = Calls()
    init(registry: DistributionRegistry, status: Int = 200, expiresAt: Double = Timestamps.now() + 43_200) throws {
      let token = Base64.encode(Array("\(DistributionRegistry.username):\(DistributionRegistry.password)".utf8))
      let calls = self.calls
      server = try HTTPServer(configuration: HTTPServerConfiguration(address: "127.0.0.1:0"), handler: HTTPClosureHandler { request in
        let target = request.headers["X-Amz-Target"] ?? ""
        calls.list.withLock { $0.append(String(target.split(separator: ".").last ?? "")) }
        guard status == 200 else {
          return HTTPResponse(status: status, body: Array(#"{"__type":"AccessDeniedException","message":"not allowed"}"#.utf8))
        }
        let body: JSON = ["authorizationData": [["authorizationToken": .string(token), "expiresAt": .double(expiresAt),
                                                 "proxyEndpoint": .string("http://\(registry.host)")]]]
        return HTTPResponse(status: 200, body: body.serialized())
      })
    }
    deinit { server.shutdown(grace: 1) }

    func ecr() -> ECRClient {
      var options = ECRClient.Options(environment: [:])
      options.endpoint = "http://127.0.0.1:\(server.port)"
      options.maximumAttempts = 1
      return ECRClient(options: options, credentials: StaticAWSCredentials(AWSSigningCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")))
    }
  }

  @Test("a signature in ECR verifies, read from the registry endpoint with the API's token, asked for once")
  func verified() throws {
    let s = try SigningScenario()
    try s.publishLegacy([try s.workshop.legacyLayer(naming: s.image.digest, key: s.key)], for: s.image.digest)
    let api = try TokenAPI(registry: s.registry)
    let verifier = SignatureVerifier(fetcher: ECRArtifactFetcher(ecr: api.ecr()))
    let verdict = verifier.verify(repository: Self.repository, digest: s.image.digest, policy: s.policy, now: Timestamps.now())
    #expect(Verdict.isVerified(verdict, "verified with the configured ECDSA P-256 public key"), "\(verdict)")
    // Several registry reads (the tag, the manifest, the layer), one token.
    #expect(api.calls.all == ["GetAuthorizationToken"])

    // Another digest without a signature, and a signature by another key, are refused.
    #expect(Verdict.isRejected(verifier.verify(repository: Self.repository, digest: s.other.digest, policy: s.policy, now: Timestamps.now()),
                               "no signature found for \(Self.repository)@"))
    let stranger = try s.workshop.key()
    #expect(Verdict.isRejected(verifier.verify(repository: Self.repository, digest: s.image.digest, policy: .publicKey(pem: stranger.publicPEM), now: Timestamps.now()),
                               "does not verify with the configured public key"))
  }

  @Test("no token (the API refuses, or answers nothing usable) is a retry, never a pass; an expired token is asked for again")
  func tokens() throws {
    let s = try SigningScenario()
    try s.publishLegacy([try s.workshop.legacyLayer(naming: s.image.digest, key: s.key)], for: s.image.digest)
    let denied = try TokenAPI(registry: s.registry, status: 400)
    let verdict = SignatureVerifier(fetcher: ECRArtifactFetcher(ecr: denied.ecr())).verify(repository: Self.repository, digest: s.image.digest, policy: s.policy, now: Timestamps.now())
    #expect(Verdict.isUnavailable(verdict, "cannot get an ECR authorization token for 123456789012.dkr.ecr.us-east-1.amazonaws.com"), "\(verdict)")
    #expect(!"\(verdict)".contains(DistributionRegistry.password))

    let expired = try TokenAPI(registry: s.registry, expiresAt: Timestamps.now() - 60)
    let fetcher = ECRArtifactFetcher(ecr: expired.ecr())
    for _ in 0..<2 {
      let v = SignatureVerifier(fetcher: fetcher).verify(repository: Self.repository, digest: s.image.digest, policy: s.policy, now: Timestamps.now())
      #expect(Verdict.isVerified(v, "verified"), "\(v)")
    }
    #expect(expired.calls.all.count >= 2, "an expired token is not reused")
    #expect(ECRArtifactFetcher.host(of: "https://123456789012.dkr.ecr.us-east-1.amazonaws.com") == "123456789012.dkr.ecr.us-east-1.amazonaws.com")
    #expect(ECRArtifactFetcher.host(of: "http://127.0.0.1:5000/") == "127.0.0.1:5000")
  }

  @Test("a repository that is not ECR's is refused as unusable, with no token asked for")
  func notECR() throws {
    let s = try SigningScenario()
    let api = try TokenAPI(registry: s.registry)
    let verdict = SignatureVerifier(fetcher: ECRArtifactFetcher(ecr: api.ecr())).verify(repository: "registry.example/team/app", digest: s.image.digest, policy: s.policy, now: Timestamps.now())
    #expect(!Verdict.isVerified(verdict, ""), "\(verdict)")
    #expect(api.calls.all.isEmpty)
  }
}
