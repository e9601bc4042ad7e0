import KcdController
import KcdCore
import KcdHTTP
import KcdHooks
import KcdKube
import KcdServer
import KcdTestSupport
import Synchronization
import Testing

/// How OIDC changes the hooks listener's head admission and scheduling for `/hooks/ci`: a bearer
/// token is admitted in place of the signature headers only when issuers are configured; the
/// issuers alone enable the source; a callback with a token runs on a worker (its issuer's keys
/// may have to be fetched); an issuer whose keys cannot be had answers 503.
@Suite struct HooksHandlerOIDCTests {
  static let head = HTTPRequest(method: "POST", target: "/hooks/ci", headers: ["Authorization": "Bearer a.b.c", "Content-Length": "2"], body: [])

  static func handler(oidc: Bool, secret: String?) -> (HooksHandler, Counter) {
    let directory = TestEnvironment.makeTemporaryDirectory("kcd-hooks-oidc")
    if let secret { TestEnvironment.write(secret, to: directory + "/ci") }
    let metrics = MetricsRegistry()
    ControllerMetrics.register(metrics)
    let fetches = Counter()
    let quiet = Logger(sink: { _ in })
    let issuer = OIDCIssuer(issuer: "https://ci.example", audience: "kcd", claims: [ClaimRule(claim: "sub", matcher: .oneOf(["x"]))])
    let verifier = oidc ? OIDCVerifier(issuers: [issuer], keys: OIDCKeyCache(fetch: { _, _ in
      fetches.add()
      throw FileError("unreachable")
    }, log: quiet), log: quiet) : nil
    let handler = HooksHandler(secrets: HookSecrets(directory: directory, recheckInterval: 0), sources: HookSourceFactory(oidc: verifier),
                               intake: EventIntake(client: KubeClient(connection: KubeConnection(server: "http://127.0.0.1:9")), kcds: KCDCache()),
                               metrics: metrics, log: quiet, statusBase: "http://api.test")
    return (handler, fetches)
  }

  final class Counter: Sendable {
    let value = Mutex(0)
    func add() { value.withLock { $0 += 1 } }
  }

  @Test func bearerIsAdmittedOnlyWithIssuers() {
    let (withIssuers, _) = Self.handler(oidc: true, secret: nil)
    #expect(withIssuers.admit(Self.head) == .proceed(maximumBodyBytes: 64 << 10), "the issuers alone enable /hooks/ci")
    let bare = HTTPRequest(method: "POST", target: "/hooks/ci", headers: ["Content-Length": "2"], body: [])
    #expect(withIssuers.admit(bare) == .refuse(status: 401, message: "missing webhook-id header"))

    let (withoutIssuers, _) = Self.handler(oidc: false, secret: nil)
    #expect(withoutIssuers.admit(Self.head) == .refuse(status: 404, message: "source ci is not enabled"))
    let (secretOnly, _) = Self.handler(oidc: false, secret: "whsec_" + Base64.encode(Array("a key for the hooks handler".utf8)))
    #expect(secretOnly.admit(Self.head) == .refuse(status: 401, message: "missing webhook-id header"))
  }

  @Test func tokensRunOnAWorkerAndUnavailableKeysAsk503() throws {
    let (handler, fetches) = Self.handler(oidc: true, secret: nil)
    let dir = TestEnvironment.makeTemporaryDirectory("kcd-hooks-oidc-key")
    let key = try OIDCTestKey(kid: "k", kind: .rsa, directory: dir)
    let now = Timestamps.now()
    let token = try key.sign(["iss": "https://ci.example", "aud": "kcd", "sub": "x", "exp": .double(now + 60)])
    let body = Array(#"{"repository":"registry.example/shop/web","tag":"main"}"#.utf8)
    let request = HTTPRequest(method: "POST", target: "/hooks/ci", headers: ["Authorization": "Bearer " + token], body: body)
    guard case .later(let work) = handler.reply(request) else {
      Issue.record("a bearer-authenticated callback must not run on the event loop")
      return
    }
    let response = work()
    #expect(response.status == 503)
    #expect(fetches.value.withLock { $0 } == 1)
    // Another issuer: refused without any fetch.
    let stranger = try key.sign(["iss": "https://other.example", "aud": "kcd", "sub": "x", "exp": .double(now + 60)])
    let other = handler.handle(HTTPRequest(method: "POST", target: "/hooks/ci", headers: ["Authorization": "Bearer " + stranger], body: body))
    #expect(other.status == 401)
    #expect(fetches.value.withLock { $0 } == 1)
  }
}
