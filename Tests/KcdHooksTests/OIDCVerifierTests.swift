import KcdCore
import KcdCrypto
import KcdHooks
import KcdJSON
import KcdTestSupport
import Synchronization
import Testing

/// `OIDCVerifier` and `CICallback` with bearer tokens, against keys made by the `openssl` CLI
/// and an issuer served from memory (the fetches are counted; the clock is the test's).
@Suite struct OIDCVerifierTests {
  /// Keys made once for the suite.
  static let keys: (rsa: OIDCTestKey, ec: OIDCTestKey, rotated: OIDCTestKey, stranger: OIDCTestKey) = {
    let dir = TestEnvironment.makeTemporaryDirectory("kcd-oidc-keys")
    do {
      return (try OIDCTestKey(kid: "rsa-1", kind: .rsa, directory: dir), try OIDCTestKey(kid: "ec-1", kind: .ec, directory: dir),
              try OIDCTestKey(kid: "rsa-2", kind: .rsa, directory: dir), try OIDCTestKey(kid: "rsa-1", kind: .rsa, directory: TestEnvironment.makeTemporaryDirectory("kcd-oidc-stranger")))
    } catch {
      fatalError("cannot make keys: \(error)")
    }
  }()

  static let issuerURL = "https://ci.example"
  static let now = 1_700_000_000.0

  /// An issuer in memory: what it publishes, what it was asked, and the cache's clock.
  final class Served: Sendable {
    let published = Mutex<[JSON]>([])
    let discoveryIssuer = Mutex(OIDCVerifierTests.issuerURL)
    let requests = Mutex<[String]>([])
    let clock = Mutex(0.0)

    func answer(_ url: String) throws -> [UInt8] {
      requests.withLock { $0.append(url) }
      switch url {
      case OIDCVerifierTests.issuerURL + "/.well-known/openid-configuration":
        return (["issuer": .string(discoveryIssuer.withLock { $0 }), "jwks_uri": .string(OIDCVerifierTests.issuerURL + "/keys")] as JSON).serialized()
      case OIDCVerifierTests.issuerURL + "/keys":
        return (["keys": .array(published.withLock { $0 })] as JSON).serialized()
      default:
        throw FileError("no such URL")
      }
    }
  }

  struct World {
    let served = Served()
    let verifier: OIDCVerifier

    init(issuer: OIDCIssuer = World.issuer(), keys: [OIDCTestKey]) {
      let served = served
      served.published.withLock { $0 = keys.map(\.jwk) }
      let quiet = Logger(sink: { _ in })
      verifier = OIDCVerifier(issuers: [issuer], keys: OIDCKeyCache(fetch: { _, url in try served.answer(url) }, log: quiet,
                                                                     clock: { served.clock.withLock { $0 } }), log: quiet)
    }

    static func issuer(kcds: KCDScope? = nil) -> OIDCIssuer {
      OIDCIssuer(issuer: OIDCVerifierTests.issuerURL, audience: "https://kcd.example",
                 claims: [ClaimRule(claim: "repository", matcher: .oneOf(["acme/shop"])),
                          ClaimRule(claim: "ref", matcher: try! .glob("refs/heads/*"))], kcds: kcds)
    }
  }

  static func claims(_ changes: [String: JSON] = [:]) -> JSON {
    var c: JSON = ["iss": .string(issuerURL), "aud": "https://kcd.example", "sub": "repo:acme/shop:ref:refs/heads/main",
                   "repository": "acme/shop", "ref": "refs/heads/main", "iat": .double(now - 10), "nbf": .double(now - 10),
                   "exp": .double(now + 300), "jti": .string("jti-\(Int.random(in: 0..<1_000_000_000))")]
    for (k, v) in changes { c[k] = v }
    return c
  }

  func world(_ keys: [OIDCTestKey], _ body: (World) throws -> Void) throws {
    try body(World(keys: keys))
  }

  /// The status a token is answered with (-1 when the test could not make the token).
  func status(_ world: World, _ make: () throws -> String) -> Int {
    let token: String
    do { token = try make() } catch {
      Issue.record("cannot make the token: \(error)")
      return -1
    }
    do {
      _ = try world.verifier.verify(token, now: Self.now)
      return 200
    } catch {
      return error.status
    }
  }

  @Test func rs256AndES256TokensWithAllowedClaimsPass() throws {
    try world([Self.keys.rsa, Self.keys.ec]) { w in
      for key in [Self.keys.rsa, Self.keys.ec] {
        let identity = try w.verifier.verify(try key.sign(Self.claims(["aud": ["other", "https://kcd.example"]])), now: Self.now)
        #expect(identity.issuer == Self.issuerURL)
        #expect(identity.subject == "repo:acme/shop:ref:refs/heads/main")
        #expect(identity.replayKey.hasPrefix("oidc-") && identity.replayKey.count == 45)
        try w.verifier.use(identity, now: Self.now)
        #expect(throws: HookRejection.unauthorized("the token was already used")) { try w.verifier.use(identity, now: Self.now) }
      }
    }
  }

  @Test("forged, confused and untimely tokens are 401; tokens the rules do not allow are 403")
  func refusals() throws {
    try world([Self.keys.rsa, Self.keys.ec]) { w in
      let rsa = Self.keys.rsa
      let good = Self.claims()
      // alg none, with and without a signature part.
      let unsigned = OIDCTestKey.base64URL(Array(#"{"alg":"none","kid":"rsa-1"}"#.utf8)) + "." + OIDCTestKey.base64URL(Array(good.text.utf8))
      #expect(status(w) { unsigned + "." } == 401)
      #expect(status(w) { unsigned + ".AAAA" } == 401)
      // HS256 "signed" with the public key (the key-confusion attack), by PEM and by JWK text.
      let hsInput = OIDCTestKey.base64URL(Array(#"{"alg":"HS256","kid":"rsa-1"}"#.utf8)) + "." + OIDCTestKey.base64URL(Array(good.text.utf8))
      for secret in [rsa.publicPEM, rsa.jwk.text] {
        #expect(status(w) { hsInput + "." + OIDCTestKey.base64URL(Digest.hmacSHA256(key: Array(secret.utf8), message: Array(hsInput.utf8))) } == 401)
      }
      // An RSA key asked to verify ES256 (alg switched in the header) and the other way round.
      #expect(status(w) { try rsa.sign(good, header: ["alg": "ES256"]) } == 401)
      #expect(status(w) { try Self.keys.ec.sign(good, header: ["alg": "RS256"]) } == 401)
      #expect(status(w) { try rsa.sign(good, header: ["alg": "PS256"]) } == 401)
      // A key the issuer never published, under a known kid and an unknown one.
      #expect(status(w) { try Self.keys.stranger.sign(good) } == 401)
      #expect(status(w) { try Self.keys.rotated.sign(good) } == 401)
      // Tampered claims.
      let token = try rsa.sign(good)
      let parts = token.split(separator: ".")
      let tampered = parts[0] + "." + OIDCTestKey.base64URL(Array(Self.claims(["repository": "acme/other"]).text.utf8)) + "." + parts[2]
      #expect(status(w) { String(tampered) } == 401)
      #expect(status(w) { try rsa.sign(Self.claims(["aud": "https://other.example"])) } == 401)
      #expect(status(w) { try rsa.sign(Self.claims(["aud": ["a", "b"]])) } == 401)
      #expect(status(w) { try rsa.sign(Self.claims(["exp": .double(Self.now - 61)])) } == 401)
      #expect(status(w) { try rsa.sign(Self.claims(["nbf": .double(Self.now + 120)])) } == 401)
      #expect(status(w) { try rsa.sign(Self.claims(["iat": .double(Self.now + 120)])) } == 401)
      #expect(status(w) { try rsa.sign(Self.claims(["exp": .null])) } == 401)
      #expect(status(w) { try rsa.sign(good, header: ["crit": ["exp"]]) } == 401)
      #expect(status(w) { "not a token" } == 401)
      // Authentic, but not allowed.
      #expect(status(w) { try rsa.sign(Self.claims(["repository": "acme/other"])) } == 403)
      #expect(status(w) { try rsa.sign(Self.claims(["ref": "refs/tags/v1"])) } == 403)
      #expect(status(w) { try rsa.sign(Self.claims(["ref": .null])) } == 403)
      #expect(status(w) { try rsa.sign(good) } == 200)
    }
  }

  @Test("an issuer that is not configured is never fetched")
  func unknownIssuerIsNotFetched() throws {
    try world([Self.keys.rsa]) { w in
      #expect(status(w) { try Self.keys.rsa.sign(Self.claims(["iss": "https://evil.example"])) } == 401)
      #expect(status(w) { try Self.keys.rsa.sign(Self.claims(["iss": .null])) } == 401)
      #expect(w.served.requests.withLock { $0 }.isEmpty)
    }
  }

  @Test("an unknown kid refreshes the keys at most once per interval; a rotation is picked up")
  func rotationAndRefreshBound() throws {
    try world([Self.keys.rsa]) { w in
      #expect(status(w) { try Self.keys.rsa.sign(Self.claims()) } == 200)
      #expect(w.served.requests.withLock { $0.count } == 2, "discovery and JWKS")
      // Forged kids: one refresh, then none until the interval has passed.
      for i in 0..<5 { #expect(status(w) { try Self.keys.rsa.sign(Self.claims(), header: ["kid": .string("forged-\(i)")]) } == 401) }
      #expect(w.served.requests.withLock { $0.count } == 2, "the first forged kid came within the interval of the first fetch")
      w.served.clock.withLock { $0 = 31 }
      for i in 0..<5 { #expect(status(w) { try Self.keys.rsa.sign(Self.claims(), header: ["kid": .string("forged-\(i)")]) } == 401) }
      #expect(w.served.requests.withLock { $0.count } == 4)
      // The issuer rotates: tokens signed with the new key verify after the next allowed refresh.
      w.served.published.withLock { $0 = [Self.keys.rotated.jwk] }
      w.served.clock.withLock { $0 = 62 }
      #expect(status(w) { try Self.keys.rotated.sign(Self.claims()) } == 200)
      // The known kid does not refetch.
      #expect(status(w) { try Self.keys.rotated.sign(Self.claims()) } == 200)
      #expect(w.served.requests.withLock { $0.count } == 6)
    }
  }

  @Test("a discovery document naming another issuer is refused (no keys: 503)")
  func discoveryIssuerMustMatch() throws {
    try world([Self.keys.rsa]) { w in
      w.served.discoveryIssuer.withLock { $0 = "https://ci.example/" }
      #expect(status(w) { try Self.keys.rsa.sign(Self.claims()) } == 503)
      #expect(w.served.requests.withLock { $0 } == [Self.issuerURL + "/.well-known/openid-configuration"])
    }
  }

  @Test("CICallback: a bearer token replaces the signature; a malformed body does not spend it")
  func callbackWithToken() throws {
    let scope = KCDScope(entries: [KCDScope.Entry(namespace: .oneOf(["shop"]), name: try .glob("*"))])
    let w = World(issuer: World.issuer(kcds: scope), keys: [Self.keys.ec])
    do {
      let callback = CICallback(keys: [], oidc: w.verifier)
      let token = try Self.keys.ec.sign(Self.claims())
      let headers = ["Authorization": "Bearer " + token]
      let digest = "sha256:" + String(repeating: "a", count: 64)
      #expect(HookTest.status(callback, HookTest.request(Array("{".utf8), headers: headers, now: Self.now)) == 400)
      let body: JSON = ["repository": "registry.example/shop/web", "tag": "main", "digest": .string(digest)]
      let outcome = try callback.handle(HookTest.request(body, headers: headers, now: Self.now))
      guard case .events(let events) = outcome, let event = events.first else { Issue.record("no event"); return }
      #expect(event.scope == scope)
      #expect(event.deliveryID.hasPrefix("oidc-"))
      #expect(event.signedAt == Self.now - 10)
      #expect(event.digest == digest)
      #expect(HookTest.status(callback, HookTest.request(body, headers: headers, now: Self.now)) == 401)
      // No token and no signature: 401, as before.
      #expect(HookTest.status(callback, HookTest.request(body, now: Self.now)) == 401)
    }
  }
}

