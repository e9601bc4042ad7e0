import KcdCore
import KcdCrypto
import KcdHooks
import KcdJSON
import Testing

/// `/hooks/gcr`: Pub/Sub push with a Google-style OIDC token signed by a key made for the test
/// (its JWKS built from the key's modulus), and Artifact Registry's notification (§10).
@Suite struct GCRHookTests {
  let fx = OpenSSLFixtures.shared
  static let now = 1_700_000_000.0
  static let settings = ["# gcr hook", "audience=https://kcd.example.com/hooks/gcr", "email=push@my-project.iam.gserviceaccount.com",
                         "jwks=/etc/kcd/google-jwks.json"]

  static func b64url(_ bytes: [UInt8]) -> String {
    String(Base64.encode(bytes).compactMap { c -> Character? in c == "+" ? "-" : c == "/" ? "_" : c == "=" ? nil : c })
  }

  func keySet() throws -> JWT.KeySet {
    let n = Self.b64url(try fx.modulus("leaf.key"))
    return try JWT.KeySet(document: Array(#"{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"7d680d8c","n":"\#(n)","e":"AQAB"}]}"#.utf8))
  }

  func hook(_ secrets: [String] = settings) throws -> GCRHook { GCRHook(secrets: secrets, keySet: try keySet()) }

  func token(_ overrides: [String: JSON] = [:], key: String = "leaf.key", kid: String = "7d680d8c") throws -> String {
    var claims: [String: JSON] = [
      "aud": "https://kcd.example.com/hooks/gcr", "azp": "113774264463038321964", "email": "push@my-project.iam.gserviceaccount.com",
      "sub": "113774264463038321964", "email_verified": true, "exp": .int(Int64(Self.now) + 3600), "iat": .int(Int64(Self.now) - 60),
      "iss": "https://accounts.google.com",
    ]
    for (k, v) in overrides { claims[k] = v }
    let input = Self.b64url(JSON.object(["alg": "RS256", "kid": .string(kid), "typ": "JWT"]).serialized()) + "." + Self.b64url(JSON.object(claims).serialized())
    return input + "." + Self.b64url(try fx.sign(input, key: key))
  }

  static func envelope(_ data: JSON) -> JSON {
    ["message": ["attributes": ["key": "value"], "data": .string(Base64.encode(data.serialized())), "messageId": "2070443601311540",
                 "publishTime": "2021-02-26T19:13:55.749Z"], "subscription": "projects/myproject/subscriptions/mysubscription"]
  }

  static let image = "us-east1-docker.pkg.dev/my-project/my-repo/hello-world"
  static let insert: JSON = ["action": "INSERT", "digest": .string("\(image)@\(HookTest.digestA)"), "tag": .string("\(image):1.1")]

  func request(_ body: JSON, token: String?) -> HookRequest {
    HookTest.request(body, headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:], now: Self.now)
  }

  @Test("an INSERT with a tag becomes a push event; messageId is the delivery id")
  func push() throws {
    let events = HookTest.events(try hook(), request(Self.envelope(Self.insert), token: try token()))
    #expect(events == [ImageEvent(repository: Self.image, tag: "1.1", digest: HookTest.digestA, action: .push, source: "gcr",
                                  deliveryID: "2070443601311540", receivedAt: Self.now)])
  }

  @Test("tokens that are not accepted: 401", arguments: [
    ("aud", JSON.string("https://other.example/hooks/gcr")), ("email", .string("attacker@evil.iam.gserviceaccount.com")),
    ("iss", .string("https://evil.example")), ("email_verified", .bool(false)), ("exp", .int(1_700_000_000 - 3600)),
    ("iat", .int(1_700_000_000 + 3600)),
  ])
  func badClaims(claim: String, value: JSON) throws {
    #expect(HookTest.status(try hook(), request(Self.envelope(Self.insert), token: try token([claim: value]))) == 401)
  }

  @Test("wrong key, unknown kid, tampered or missing token: 401")
  func badTokens() throws {
    let h = try hook()
    #expect(HookTest.status(h, request(Self.envelope(Self.insert), token: try token(key: "int.key"))) == 401)
    #expect(HookTest.status(h, request(Self.envelope(Self.insert), token: try token(kid: "other"))) == 401)
    let parts = try token().split(separator: ".").map(String.init)
    let forged = [parts[0], Self.b64url(Array(#"{"iss":"https://accounts.google.com","aud":"https://kcd.example.com/hooks/gcr"}"#.utf8)), parts[2]].joined(separator: ".")
    #expect(HookTest.status(h, request(Self.envelope(Self.insert), token: forged)) == 401)
    #expect(HookTest.status(h, request(Self.envelope(Self.insert), token: nil)) == 401)
    #expect(HookTest.status(h, HookTest.request(Self.envelope(Self.insert), headers: ["Authorization": "Basic " + (try token())], now: Self.now)) == 401)
    #expect(HookTest.status(h, request(Self.envelope(Self.insert), token: "not.a.jwt")) == 401)
  }

  @Test("a DELETE becomes a delete event, not a push; an INSERT without a tag records nothing")
  func delete() throws {
    let deleted: JSON = ["action": "DELETE", "digest": .string("\(Self.image)@\(HookTest.digestB)")]
    let events = HookTest.events(try hook(), request(Self.envelope(deleted), token: try token()))
    #expect(events.map(\.action) == [.delete])
    #expect(events.first?.digest == HookTest.digestB)
    let untagged: JSON = ["action": "INSERT", "digest": .string("\(Self.image)@\(HookTest.digestB)")]
    #expect(HookTest.status(try hook(), request(Self.envelope(untagged), token: try token())) == 200)
  }

  @Test("malformed bodies: 400 with a good token", arguments: [
    JSON.object(["message": ["messageId": "1", "data": "!!!"]]), ["message": ["data": .string(Base64.encode(insert.serialized()))]],
    envelope(["action": "INSERT", "tag": "us-east1-docker.pkg.dev/p/r/img"]),
    envelope(["action": "INSERT", "tag": "us-east1-docker.pkg.dev/p/r/img:1.1", "digest": .string("us-east1-docker.pkg.dev/p/r/other@\(HookTest.digestA)")]),
    envelope(["action": "INSERT", "tag": "us-east1-docker.pkg.dev/p/r/img:1.1", "digest": "us-east1-docker.pkg.dev/p/r/img@sha256:abc"]),
    ["message": ["messageId": "1", "data": .string(Base64.encode(Array("not json".utf8)))]], "[]",
  ])
  func malformed(body: JSON) throws {
    #expect(HookTest.status(try hook(), request(body, token: try token())) == 400)
  }

  @Test("the secret file: audience and email lines, comments, the key location")
  func settingsFile() throws {
    let s = GCRHook.Settings(lines: Self.settings + ["audience = https://second.example/hooks/gcr", "bogus", "email="])
    #expect(s.audiences == ["https://kcd.example.com/hooks/gcr", "https://second.example/hooks/gcr"])
    #expect(s.emails == ["push@my-project.iam.gserviceaccount.com"])
    #expect(s.keysURL == "/etc/kcd/google-jwks.json")
    #expect(GCRHook.Settings(lines: []).keysURL == "https://www.googleapis.com/oauth2/v3/certs")
    // The second audience is accepted too (rotation).
    let rotated = try hook(Self.settings + ["audience=https://second.example/hooks/gcr"])
    #expect(HookTest.status(rotated, request(Self.envelope(Self.insert), token: try token(["aud": "https://second.example/hooks/gcr"]))) == 202)
  }

  @Test("missing settings are a misconfiguration (500); unavailable keys ask Pub/Sub to retry (503)")
  func configuration() throws {
    #expect(HookTest.status(try hook(["audience=https://kcd.example.com/hooks/gcr"]), request(Self.envelope(Self.insert), token: try token())) == 500)
    let noKeys = GCRHook(secrets: Self.settings, keys: { throw FixtureError(description: "JWKS unreachable") })
    #expect(HookTest.status(noKeys, request(Self.envelope(Self.insert), token: try token())) == 503)
  }
}
