import KcdCore
import KcdHooks
import KcdJSON

/// CI identity: a bearer token checked against a configured issuer whose discovery document
/// and key set the harness serves (the GCR harness's key), then its claims against rules.
enum OIDCHarness {
  static let issuerURL = "https://token.actions.githubusercontent.com"

  static let verifier: OIDCVerifier? = {
    guard let repository = try? ValueMatcher.glob("shop/*"), let ref = try? ValueMatcher.glob("refs/heads/*") else { return nil }
    let issuer = OIDCIssuer(issuer: issuerURL, audience: "kcd", claims: [ClaimRule(claim: "repository", matcher: repository), ClaimRule(claim: "ref", matcher: ref)])
    let discovery = JSON.object(["issuer": .string(issuerURL), "jwks_uri": .string(issuerURL + "/.well-known/jwks")]).serialized()
    let jwks = SourceHarnesses.gcrKeySetDocument
    let keys = OIDCKeyCache(fetch: { _, url in url.hasSuffix("openid-configuration") ? discovery : jwks }, log: Logger(sink: { _ in }))
    return OIDCVerifier(issuers: [issuer], keys: keys, replays: ReplayMemory(capacity: 64), log: Logger(sink: { _ in }))
  }()

  static let all = [
    Harness(name: "oidc-token") { bytes in
      let text = String(decoding: bytes, as: UTF8.self)
      _ = OIDCVerifier.bearer(text)
      _ = try? verifier?.verify(text, now: SourceHarnesses.now)
      // The claim checks on claims the fuzzer writes directly (a signed token's claims are
      // out of its reach).
      if let claims = try? JSON.parse(bytes), let times = try? TokenTimes(claims: claims) {
        _ = try? times.check(now: SourceHarnesses.now)
      }
    },
  ]
}
