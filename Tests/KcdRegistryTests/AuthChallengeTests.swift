import KcdRegistry
import Testing

/// `WWW-Authenticate` parsing: quoted values with commas, several challenges in one header,
/// sloppy spacing and unquoted values, and junk that must not crash or leak into parameters.
@Suite struct AuthChallengeTests {
  @Test func dockerHubBearerChallenge() {
    let header = #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#
    let challenges = AuthChallenge.parse(header)
    #expect(challenges == [AuthChallenge(scheme: "bearer", parameters: [
      "realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:samalba/my-app:pull,push",
    ])])
  }

  @Test func basicChallengeAndSchemeCase() {
    #expect(AuthChallenge.parse(#"Basic realm="kcd-test""#) == [AuthChallenge(scheme: "basic", parameters: ["realm": "kcd-test"])])
    #expect(AuthChallenge.parse(#"BEARER Realm="r""#).first?["realm"] == "r")
    #expect(AuthChallenge.parse(#"BEARER Realm="r""#).first?.scheme == "bearer")
  }

  @Test func severalChallengesInOneHeader() {
    let challenges = AuthChallenge.parse(#"Bearer realm="https://a/token",scope="repository:x:pull,push", Basic realm="b", Negotiate"#)
    #expect(challenges.map(\.scheme) == ["bearer", "basic", "negotiate"])
    #expect(challenges[0]["scope"] == "repository:x:pull,push")
    #expect(challenges[1]["realm"] == "b")
    #expect(challenges[2].parameters.isEmpty)
  }

  @Test func spacesUnquotedValuesAndEscapes() {
    let c = AuthChallenge.parse(#"Bearer  realm = https://auth.example/token , service=reg.example ,error="invalid_token", error_description="say \"hi\", then go""#)
    #expect(c.count == 1)
    #expect(c.first?["realm"] == "https://auth.example/token")
    #expect(c.first?["service"] == "reg.example")
    #expect(c.first?["error"] == "invalid_token")
    #expect(c.first?["error_description"] == #"say "hi", then go"#)
  }

  @Test func severalHeaderFields() {
    let c = AuthChallenge.parse(headers: [#"Bearer realm="r1""#, #"Basic realm="r2""#])
    #expect(c.map { $0["realm"] } == ["r1", "r2"])
  }

  @Test(arguments: ["", "   ", ",,,", #"="x""#, "Negotiate YIIB3gYGKwYBBQUCoIIB0jCCAc6gDTALBgkqhkiG9xIBAgI=="])
  func junkGivesNoParameters(header: String) {
    let challenges = AuthChallenge.parse(header)
    #expect(challenges.allSatisfy { $0.parameters.isEmpty })
    #expect(challenges.count <= 1)
  }

  @Test func unterminatedQuoteRunsToTheEnd() {
    #expect(AuthChallenge.parse(#"Bearer realm="https://a/token,service=x"#).first?["realm"] == "https://a/token,service=x")
  }
}
