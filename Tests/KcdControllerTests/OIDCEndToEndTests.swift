#if canImport(Glibc)
import Glibc
#endif
import KcdCore
import KcdCrypto
import KcdJSON
import KcdTestSupport
import Testing

/// CI callbacks authenticated by OIDC ID tokens, through `kcd run` against `kcd sim`: an issuer on
/// loopback serves discovery and JWKS over HTTPS (a CA made here, trusted through the issuer's
/// `caFile`); tokens are signed by the `openssl` CLI. One token with the allowed claims rolls out;
/// every forged, untimely, disallowed or replayed one is refused with its code and records
/// nothing; a key rotation at the issuer is picked up.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct OIDCEndToEndTests {
  static let audience = "https://kcd.example.com"
  static let repository = "registry.example/shop/web"

  static func config(_ issuer: OIDCTestIssuer) -> String {
    """
    oidc:
      - issuer: \(issuer.url)
        audience: \(audience)
        caFile: \(issuer.caPath)
        refreshSeconds: 1
        claims:
          repository: acme/shop
          ref: {glob: "refs/heads/*"}
          environment: [staging, production]
        kcds:
          - {namespace: shop, name: "web*"}
    """
  }

  static func claims(_ issuer: OIDCTestIssuer, _ changes: [String: JSON] = [:]) -> JSON {
    let now = Timestamps.now()
    var c: JSON = ["iss": .string(issuer.url), "aud": .string(audience), "sub": "repo:acme/shop:environment:production",
                   "repository": "acme/shop", "ref": "refs/heads/main", "environment": "production",
                   "iat": .double(now.rounded() - 5), "nbf": .double(now.rounded() - 5), "exp": .double(now.rounded() + 300),
                   "jti": .string("jti-\(Int.random(in: 0..<1_000_000_000))")]
    for (k, v) in changes { c[k] = v }
    return c
  }

  static func body(digest: String, kcd: String? = nil, repository: String = repository) -> String {
    var b: JSON = ["repository": .string(repository), "tag": "main", "digest": .string(digest), "version": "abc1234"]
    if let kcd { b["kcd"] = .string(kcd) }
    return b.text
  }

  static func send(_ kcd: KcdProcess, token: String, body: String) throws -> HTTPTestResponse {
    try httpRequest(port: kcd.hooksPort, method: "POST", path: "/hooks/ci",
                    headers: ["Content-Type": "application/json", "Authorization": "Bearer " + token], body: body)
  }

  @Test("a token with the allowed claims rolls out; forged, untimely, disallowed and replayed tokens are refused; rotation is picked up")
  func oidcCallbacks() throws {
    let sim = try SpineEndToEndTests.cluster()
    let r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: """
      apiVersion: kcd.dev/v1
      kind: KCD
      metadata: {name: proxy, namespace: shop}
      spec: {imageRepo: registry.example/shop/proxy, tag: main, selector: {app: web}, container: {name: proxy}}
      """)
    #expect(r.status == 0, "\(r)")
    let dir = sim.directory
    let keyDir = TestEnvironment.makeTemporaryDirectory("kcd-oidc-e2e")
    let k1 = try OIDCTestKey(kid: "k1", kind: .rsa, directory: keyDir)
    let k2 = try OIDCTestKey(kid: "k2", kind: .ec, directory: keyDir)
    let stranger = try OIDCTestKey(kid: "stranger", kind: .rsa, directory: keyDir)
    let issuer = try OIDCTestIssuer(publishing: [k1], directory: keyDir)
    TestEnvironment.write(Self.config(issuer), to: dir + "/kcd.yaml")
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: dir, extraArguments: ["--config", dir + "/kcd.yaml"])
    // No shared secret: the issuers alone enable /hooks/ci.
    _ = try Subprocess.run(["rm", "-f", kcd.secretFile])
    #expect(kcd.waitReady())

    /// Each KCD's event annotation and resourceVersion (any write, status included, changes it),
    /// and the Events in the namespace.
    func recorded() -> [String] {
      ["web", "proxy"].flatMap { name -> [String] in
        let metadata = sim.json(["kcd", name, "-n", "shop"])["metadata"]
        return [metadata["annotations"]["kcd.dev/event"].stringValue ?? "", metadata["resourceVersion"].stringValue ?? ""]
      } + [String(sim.json(["events", "-n", "shop"])["items"].arrayValue?.count ?? -1)]
    }
    let before = recorded(), imageBefore = SpineEndToEndTests.image(sim)
    var tokens: [String] = []
    /// Sends and checks the code and the reason (so each case is refused for what it tests).
    func refused(_ code: Int, _ what: String, because reason: String, token: String, body: String = Self.body(digest: randomDigest())) throws {
      tokens.append(token)
      let response = try Self.send(kcd, token: token, body: body)
      #expect(response.status == code && response.text.contains(reason), "\(what): \(response.status) \(response.text)")
    }
    let good = Self.claims(issuer)
    let unsignedInput = OIDCTestKey.base64URL(Array(#"{"alg":"none","kid":"k1"}"#.utf8)) + "." + OIDCTestKey.base64URL(Array(good.text.utf8))
    let hsInput = OIDCTestKey.base64URL(Array(#"{"alg":"HS256","kid":"k1"}"#.utf8)) + "." + OIDCTestKey.base64URL(Array(good.text.utf8))
    let hsToken = hsInput + "." + OIDCTestKey.base64URL(Digest.hmacSHA256(key: Array(k1.publicPEM.utf8), message: Array(hsInput.utf8)))
    try refused(401, "wrong audience", because: "audience", token: try k1.sign(Self.claims(issuer, ["aud": "https://other.example"])))
    try refused(401, "expired", because: "expired", token: try k1.sign(Self.claims(issuer, ["exp": .double(Timestamps.now() - 120)])))
    try refused(401, "not yet valid", because: "not valid yet", token: try k1.sign(Self.claims(issuer, ["nbf": .double(Timestamps.now() + 600)])))
    try refused(401, "unknown key", because: "no key of the issuer matches", token: try stranger.sign(good))
    try refused(401, "alg none", because: "not a JWT", token: unsignedInput + ".")
    try refused(401, "alg none with a signature", because: "alg is not accepted", token: unsignedInput + ".AAAA")
    try refused(401, "HS256 signed with the public key", because: "alg is not accepted", token: hsToken)
    try refused(401, "unconfigured issuer", because: "issuer is not configured", token: try k1.sign(Self.claims(issuer, ["iss": "https://evil.example"])))
    try refused(403, "claim outside the rules", because: "ref claim", token: try k1.sign(Self.claims(issuer, ["ref": "refs/tags/v1"])))
    try refused(403, "a KCD outside the identity's KCDs, named", because: "may not roll out shop/proxy", token: try k1.sign(Self.claims(issuer)),
                body: Self.body(digest: randomDigest(), kcd: "shop/proxy"))
    try refused(403, "a KCD outside the identity's KCDs, by repository", because: "may not roll out shop/proxy", token: try k1.sign(Self.claims(issuer)),
                body: Self.body(digest: randomDigest(), repository: "registry.example/shop/proxy"))
    // The ci key file is gone: a signed callback is no longer authentic, yet /hooks/ci is enabled.
    #expect(eventually(timeout: 5) {
      (try? CallbackReplayTests.send(kcd, CallbackReplayTests.signed(digest: randomDigest(), version: "1111111", at: Int64(Timestamps.now()))))?.status == 401
    })
    #expect(recorded() == before, "nothing recorded on refusals")
    #expect(SpineEndToEndTests.image(sim) == imageBefore)

    // The allowed token, through `kcd hooks send --oidc-token-file`.
    let token = try k1.sign(good)
    tokens.append(token)
    TestEnvironment.write(token + "\n", to: dir + "/id-token")
    let digest = randomDigest()
    let sent = try Subprocess.run([TestEnvironment.kcdBinary, "hooks", "send", "--url", kcd.hooksURL, "--oidc-token-file", dir + "/id-token",
                                   "--repository", Self.repository, "--tag", "main", "--digest", digest, "--version", "abc1234"], timeout: 60)
    #expect(sent.status == 0 && sent.stdout.contains("/api/v1/namespaces/shop/kcds/web"), "\(sent)")
    let both = try Subprocess.run([TestEnvironment.kcdBinary, "hooks", "send", "--url", kcd.hooksURL, "--oidc-token-file", dir + "/id-token",
                                   "--secret-file", dir + "/id-token", "--repository", Self.repository, "--tag", "main"], timeout: 30)
    #expect(both.status == 2 && both.stderr.contains("not both") && !both.stderr.contains(token), "\(both)")
    #expect(eventually(timeout: 60) { SpineEndToEndTests.image(sim) == "\(Self.repository):abc1234@\(digest)" }, "\(SpineEndToEndTests.kcdStatus(sim))")
    #expect(eventually(timeout: 30) { SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "Success" })
    let afterGood = recorded()
    #expect(afterGood[0] != before[0] && afterGood[2...3] == before[2...3], "only shop/web took the event")

    // The same token again: refused, nothing recorded.
    try refused(401, "replayed token", because: "already used", token: token, body: Self.body(digest: randomDigest()))
    #expect(recorded() == afterGood)

    // The issuer rotates to a new (EC) key: the unknown kid makes kcd refetch its keys.
    issuer.publish([k2])
    usleep(1_200_000)  // past the refresh interval since the last fetch (the unknown-key refusal)
    let rotatedDigest = randomDigest()
    let rotated = try k2.sign(Self.claims(issuer))
    tokens.append(rotated)
    // Sent by the curl snippet's OIDC variant (hooks/ci/kcd-callback.sh).
    TestEnvironment.write(rotated + "\n", to: dir + "/id-token")
    let script = try Subprocess.run(["sh", TestEnvironment.packageRoot + "/hooks/ci/kcd-callback.sh", Self.repository, "main", rotatedDigest, "abc1234"],
                                    environment: ["KCD_URL": "http://127.0.0.1:\(kcd.hooksPort)", "KCD_OIDC_TOKEN_FILE": dir + "/id-token"])
    #expect(script.status == 0 && script.stdout.contains("shop/web"), "\(script)")
    #expect(eventually(timeout: 60) { SpineEndToEndTests.image(sim) == "\(Self.repository):abc1234@\(rotatedDigest)" })

    // No token, nor any part of one, in what kcd logged or answered.
    let logs = kcd.child.output + kcd.child.errorOutput
    #expect(logs.contains("oidc token accepted") && logs.contains("repo:acme/shop:environment:production"), "decisions are logged by subject")
    for t in tokens {
      for part in t.split(separator: ".") where part.count > 16 { #expect(!logs.contains(part), "a token part is in the logs") }
    }
  }
}
