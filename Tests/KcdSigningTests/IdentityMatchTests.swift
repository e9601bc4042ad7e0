import Testing

@testable import KcdSigning

@Suite struct IdentityMatchTests {
  @Test("exact matches the whole value only")
  func exact() throws {
    let m = try IdentityMatcher(.exact("ci@example.com"), what: "subject")
    #expect(m.matches("ci@example.com"))
    #expect(!m.matches("ci@example.com.evil"))
    #expect(!m.matches("CI@example.com"))
    #expect(!m.matches(""))
    #expect(throws: CandidateFailure.self) { try IdentityMatcher(.exact(""), what: "subject") }
  }

  @Test("patterns must match the whole value: no prefix, suffix or substring matches")
  func pattern() throws {
    let m = try IdentityMatcher(.pattern(#"https://github\.com/org/[a-z-]+/\.github/workflows/release\.yml@refs/tags/v.*"#), what: "subject")
    #expect(m.matches("https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1.2.3"))
    #expect(!m.matches("https://github.com/org/app/.github/workflows/release.yml@refs/heads/main"))
    #expect(!m.matches("xhttps://github.com/org/app/.github/workflows/release.yml@refs/tags/v1"))
    let issuer = try IdentityMatcher(.pattern("https://token\\.actions\\.githubusercontent\\.com"), what: "issuer")
    #expect(issuer.matches("https://token.actions.githubusercontent.com"))
    #expect(!issuer.matches("https://token.actions.githubusercontent.com.evil.example"))
    #expect(!issuer.matches("https://tokenXactions.githubusercontent.com"))
  }

  @Test("a pattern that does not compile refuses the policy")
  func badPattern() {
    #expect(throws: CandidateFailure.self) { try IdentityMatcher(.pattern("(unclosed"), what: "issuer") }
    #expect(IdentityMatch.pattern("a.*").description == "pattern /a.*/")
    #expect(IdentityMatch.exact("a").description == "\"a\"")
  }
}
