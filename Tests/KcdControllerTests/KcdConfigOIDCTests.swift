import KcdHooks
import KcdJSON
import KcdServer
import KcdYAML
import Testing

/// `oidc:` in the config file: issuers with their rules parse; every mistake stops kcd with the
/// file, the issuer and the setting named (fail closed: nothing is guessed or skipped).
@Suite struct KcdConfigOIDCTests {
  @Test("issuers parse with exact, any-of, glob and pattern rules and a KCD scope")
  func parses() throws {
    let c = try KcdConfig.parse(try YAML.parse("""
      oidc:
        - issuer: https://token.actions.githubusercontent.com
          audience: https://kcd.example.com
          claims:
            repository: acme/shop
            environment: [staging, production]
            ref: {glob: "refs/heads/*"}
            job_workflow_ref: {pattern: "acme/shop/\\\\.github/workflows/deploy\\\\.yml@.*"}
          kcds:
            - {namespace: shop, name: "web*"}
            - {namespace: "team-*"}
          caFile: /etc/kcd/oidc/ca.pem
          refreshSeconds: 60
        - {issuer: "https://gitlab.example.com", audience: kcd, claims: {project_path: acme/shop}}
      """), source: "kcd.yaml")
    #expect(c.oidc.count == 2)
    let gh = c.oidc[0]
    #expect(gh.issuer == "https://token.actions.githubusercontent.com" && gh.audience == "https://kcd.example.com")
    #expect(gh.caFile == "/etc/kcd/oidc/ca.pem" && gh.refreshSeconds == 60)
    #expect(gh.discoveryURL == "https://token.actions.githubusercontent.com/.well-known/openid-configuration")
    let claims: JSON = ["repository": "acme/shop", "environment": "production", "ref": "refs/heads/main",
                        "job_workflow_ref": "acme/shop/.github/workflows/deploy.yml@refs/heads/main"]
    #expect(gh.claims.map(\.claim) == ["environment", "job_workflow_ref", "ref", "repository"])
    #expect(gh.claims.allSatisfy { $0.matches(claims) })
    var other = claims
    other["job_workflow_ref"] = "acme/shop/.github/workflows/other.yml@refs/heads/main"
    #expect(!gh.claims.allSatisfy { $0.matches(other) })
    let scope = try #require(gh.kcds)
    #expect(scope.allows(key: "shop/web-eu") && scope.allows(key: "team-a/x") && !scope.allows(key: "shop/api"))
    #expect(c.oidc[1].kcds == nil && c.oidc[1].refreshSeconds == 30 && c.oidc[1].caFile == nil)
  }

  @Test("mistakes are refused with the file, the issuer and the setting", arguments: [
    ("{oidc: {issuer: x}}", "oidc must be a list of issuers"),
    ("{oidc: [{audience: a, claims: {sub: x}}]}", "oidc[0]: issuer is required"),
    ("{oidc: [{issuer: \"http://ci.example\", audience: a, claims: {sub: x}}]}", "issuer is required: the issuer's https URL"),
    ("{oidc: [{issuer: \"https://ci.example\", claims: {sub: x}}]}", "(https://ci.example): audience is required"),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a}]}", "claims needs at least one rule"),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {}}]}", "claims needs at least one rule"),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {sub: x}, audiences: [b]}]}", "unknown setting \"audiences\""),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {ref: {pattern: \"(a\"}}}]}", "claims.ref: "),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {ref: {regex: \"a\"}}}]}", "claims.ref: a rule mapping is {glob"),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {ref: [main, 3]}}]}", "claims.ref: a list holds non-empty strings only"),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {ref: true}}]}", "claims.ref must be a string"),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {ref: \"\"}}]}", "claims.ref must be a string"),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {sub: x}, kcds: []}]}", "kcds must be a non-empty list"),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {sub: x}, kcds: [{name: web}]}]}", "kcds[0]: namespace is required"),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {sub: x}, kcds: [{namespace: a, kind: x}]}]}", "kcds[0]: unknown setting \"kind\""),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {sub: x}, refreshSeconds: 0}]}", "refreshSeconds must be a number from 1.0 to 3600.0"),
    ("{oidc: [{issuer: \"https://ci.example\", audience: a, claims: {sub: x}}, {issuer: \"https://ci.example\", audience: b, claims: {sub: y}}]}",
     "the issuer https://ci.example is listed twice"),
  ])
  func refuses(text: String, message: String) throws {
    try KcdConfigTests.expectRefusal(text, message)
  }
}
