import Testing

@testable import KcdVersionPolicy

/// SemVer 2.0.0 parsing and precedence (semver.org §2, §9–11), with the tag spellings peers
/// accept (a leading `v`, Masterminds' short forms).
@Suite struct SemVerTests {
  /// semver.org §11's own chain, then cores.
  @Test("precedence follows the SemVer 2.0.0 specification's example chain")
  func specificationChain() {
    let chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
                 "2.0.0", "2.1.0", "2.1.1", "10.0.0"]
    let parsed = chain.map { SemVer($0)! }
    for i in 0..<parsed.count - 1 { #expect(parsed[i] < parsed[i + 1], "\(chain[i]) < \(chain[i + 1])") }
    #expect(parsed.shuffled().sorted() == parsed)
  }

  @Test("a leading v, short forms and build metadata: same precedence, build ignored", arguments: [
    ("v1.2.3", "1.2.3"), ("1.2", "1.2.0"), ("1", "1.0.0"), ("1.2.3+build.7", "1.2.3"), ("v2.0.0-rc.1", "2.0.0-rc.1"), ("01.2.3", "1.2.3"),
  ])
  func equalSpellings(a: String, b: String) {
    #expect(SemVer(a) == SemVer(b))
    #expect(SemVer(a).map { SemVer.compare($0, SemVer(b)!) } == 0)
  }

  @Test("not versions", arguments: [
    "", "v", "latest", "1.2.3.4", "1..2", "1.2.3-", "1.2.3+", "a.b.c", "1.2.3-alpha..1", "1.2.3-01", "1.2.-3", "-1.2.3", "1.2.3-ä",
    "99999999999999999999.0.0", "3ae8d1b", "1.2.3 ", "V1.2.3",
  ])
  func invalid(text: String) {
    #expect(SemVer(text) == nil, "\(text)")
  }

  @Test("numeric identifiers sort below alphanumeric ones and numerically among themselves")
  func identifiers() {
    #expect(SemVer("1.0.0-2")! < SemVer("1.0.0-10")!)
    #expect(SemVer("1.0.0-999")! < SemVer("1.0.0-a")!)
    #expect(SemVer("1.0.0-B")! < SemVer("1.0.0-a")!, "ASCII order: upper case first")
    #expect(SemVer("1.0.0-alpha.1")! < SemVer("1.0.0-alpha.1.0")!, "more identifiers sort higher")
    #expect(SemVer("1.0.0-0")! < SemVer("1.0.0")!)
    #expect(SemVer("1.2.3-rc.1+exp.sha.5114f85")?.description == "1.2.3-rc.1+exp.sha.5114f85")
  }
}
