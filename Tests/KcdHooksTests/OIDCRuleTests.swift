import KcdHooks
import KcdJSON
import Testing

/// The pure parts of OIDC CI identity: claim rules, KCD scopes, time checks, replay memory.
@Suite struct OIDCRuleTests {
  static let claims: JSON = [
    "repository": "acme/shop", "ref": "refs/heads/main", "environment": "production", "run_attempt": 2,
    "ref_protected": true, "groups": ["a", "b"],
  ]

  @Test("claim rules: exact, any-of, glob and pattern; missing or structured claims never match",
        arguments: [
          ("repository", ValueMatcher.oneOf(["acme/shop"]), true),
          ("repository", .oneOf(["acme/shop2"]), false),
          ("repository", .oneOf(["acme/Shop"]), false),
          ("environment", .oneOf(["staging", "production"]), true),
          ("ref", try! ValueMatcher.glob("refs/heads/*"), true),
          ("ref", try! ValueMatcher.glob("refs/tags/*"), false),
          ("ref", try! ValueMatcher.glob("refs/heads/ma?n"), true),
          ("ref", try! ValueMatcher.glob("refs/heads/m"), false),
          ("repository", try! ValueMatcher.glob("acme.shop"), false),
          ("ref", try! ValueMatcher.regex("refs/heads/(main|release-.*)"), true),
          ("ref", try! ValueMatcher.regex("heads/main"), false),
          ("run_attempt", .oneOf(["2"]), true),
          ("ref_protected", .oneOf(["true"]), true),
          ("groups", .oneOf(["a"]), false),
          ("missing", try! ValueMatcher.glob("*"), false),
        ])
  func claimRules(claim: String, matcher: ValueMatcher, expected: Bool) {
    #expect(ClaimRule(claim: claim, matcher: matcher).matches(Self.claims) == expected)
  }

  @Test func globsEscapeRegexSyntax() throws {
    #expect(try ValueMatcher.glob("a.b") == .oneOf(["a.b"]))
    let g = try ValueMatcher.glob("v1.(x)+*")
    #expect(g.matches("v1.(x)+anything"))
    #expect(!g.matches("v1x(x)+"))
    #expect(!g.matches("v1.xx"))
  }

  @Test func scopesAllowOnlyTheirKCDs() throws {
    let scope = KCDScope(entries: [KCDScope.Entry(namespace: .oneOf(["shop"]), name: try .glob("web*")),
                                   KCDScope.Entry(namespace: try .glob("team-*"), name: try .glob("*"))])
    #expect(scope.allows(namespace: "shop", name: "web"))
    #expect(scope.allows(namespace: "shop", name: "web-canary"))
    #expect(!scope.allows(namespace: "shop", name: "api"))
    #expect(!scope.allows(namespace: "shop2", name: "web"))
    #expect(scope.allows(key: "team-a/anything"))
    #expect(!scope.allows(key: "team-a"))
    #expect(!scope.allows(key: "shop/web/x"))
  }

  @Test("time claims with 60 s of skew", arguments: [
    (TokenTimes(expiresAt: 1000), 1000.0, true),
    (TokenTimes(expiresAt: 1000), 1060.0, true),
    (TokenTimes(expiresAt: 1000), 1061.0, false),
    (TokenTimes(expiresAt: 2000, notBefore: 1060), 1000.0, true),
    (TokenTimes(expiresAt: 2000, notBefore: 1061), 1000.0, false),
    (TokenTimes(expiresAt: 2000, issuedAt: 1060), 1000.0, true),
    (TokenTimes(expiresAt: 2000, issuedAt: 1061), 1000.0, false),
    (TokenTimes(expiresAt: 1000 + 24 * 3600), 1000.0, true),
    (TokenTimes(expiresAt: 1001 + 24 * 3600), 1000.0, false),
  ])
  func times(times: TokenTimes, now: Double, valid: Bool) {
    #expect(((try? times.check(now: now)) != nil) == valid)
  }

  @Test func timeClaimsMustBeNumbers() {
    #expect(throws: HookRejection.self) { try TokenTimes(claims: ["iat": 1]) }
    #expect(throws: HookRejection.self) { try TokenTimes(claims: ["exp": "1000"]) }
    #expect(throws: HookRejection.self) { try TokenTimes(claims: ["exp": 1000, "nbf": "soon"]) }
    #expect((try? TokenTimes(claims: ["exp": 1000, "iat": 900])) == TokenTimes(expiresAt: 1000, issuedAt: 900))
  }

  @Test("replay memory: once per token, expired entries dropped, refuses when full rather than forgetting")
  func replayMemory() {
    let memory = ReplayMemory(capacity: 2)
    #expect(memory.use("a", expiresAt: 100, now: 0) == .fresh)
    #expect(memory.use("a", expiresAt: 100, now: 50) == .replayed)
    #expect(memory.use("b", expiresAt: 1000, now: 50) == .fresh)
    // Full of live entries: a new token is refused, the old ones are still remembered.
    #expect(memory.use("c", expiresAt: 1000, now: 60) == .full)
    #expect(memory.use("a", expiresAt: 100, now: 60) == .replayed)
    // `a` is remembered until its exp plus the skew, then dropped to make room.
    #expect(memory.use("c", expiresAt: 1000, now: 150) == .full)
    #expect(memory.use("c", expiresAt: 1000, now: 161) == .fresh)
    #expect(memory.count == 2)
    // A released token (its delivery was answered "retry") can be used again.
    memory.release("c")
    #expect(memory.use("c", expiresAt: 1000, now: 170) == .fresh)
    #expect(memory.use("c", expiresAt: 1000, now: 171) == .replayed)
  }
}
