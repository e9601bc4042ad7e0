import Testing

@testable import KcdVersionPolicy

/// Stream mode's choice of the newest tag, with the orderings Flux's ImagePolicy and Argo CD
/// Image Updater document, and the mistakes peers made (string-compared build numbers, the
/// oldest tag winning, pre-releases leaking into a stable range).
@Suite struct VersionPolicyTests {
  func policy(_ kind: String, range: String? = nil, extract: String? = nil) throws -> VersionPolicy {
    try VersionPolicy(kind: kind, range: range, extract: extract)
  }

  @Test("semver within a range picks the highest stable version, not the last listed or a pre-release")
  func semverRange() throws {
    let p = try policy("semver", range: ">=1.4.0 <2.0.0")
    #expect(p.newest(["1.4.0", "1.5.0", "2.0.0-rc.1", "1.10.0", "latest", "3ae8d1b"]) == "1.10.0")
    #expect(p.newest(["1.10.0", "1.9.0"]) == "1.10.0", "registries list oldest first; order comes from the versions")
    #expect(p.newest(["2.0.0", "0.9.0", "sha-1"]) == nil)
    #expect(p.compare("1.9.0", "1.10.0") == -1)
    #expect(p.compare("v1.5.0", "1.5.0") == 0)
    #expect(p.compare("2.0.0", "1.5.0") == nil, "outside the range: not a candidate")
  }

  @Test("semver without a range takes every stable version; the same version spelled twice picks one by its text")
  func semverAll() throws {
    let p = try policy("semver")
    #expect(p.newest(["v1.2.3", "1.2.3", "1.2.2"]) == "v1.2.3")
    #expect(p.newest(["1.2.3", "v1.2.3"]) == "v1.2.3", "the same whatever the listing order")
    #expect(p.newest(["1.0.0", "2.0.0-rc.1"]) == "2.0.0-rc.1", "no range: SemVer precedence alone")
  }

  /// Flux `numerical` ordering and the timestamp example (`main-<sha>-<unix seconds>`); Keel's
  /// glob compared `build-10 < build-9` as strings.
  @Test("numeric with extract orders build numbers and timestamps numerically")
  func numeric() throws {
    let builds = try policy("numeric", extract: "^build-(?<v>[0-9]+)$")
    #expect(builds.newest(["build-9", "build-10", "build-100x", "other-999"]) == "build-10")
    let flux = try policy("numeric", extract: "^main-[a-fA-F0-9]+-(?<v>[1-9][0-9]*)$")
    #expect(flux.newest(["main-3f2a9c1-1712345678", "main-0a1b2c3-1712345679", "main-zzz-1799999999", "feature-1a2b3c4-1800000000"])
            == "main-0a1b2c3-1712345679")
    let plain = try policy("numeric")
    #expect(plain.newest(["1", "2", "10", "9.5", "latest"]) == "10")
    #expect(plain.compare("10.50", "10.5") == 0)
    #expect(plain.compare("99999999999999999999999", "99999999999999999999998") == 1, "exact beyond 64 bits")
    #expect(plain.compare("007", "7") == 0)
  }

  /// Flux `alphabetical` (ascending: the last wins), e.g. RFC 3339 timestamps and CalVer.
  @Test("alphabetical orders bytes; extract picks the compared part")
  func alphabetical() throws {
    let p = try policy("alphabetical", extract: "^RELEASE\\.(?<v>.+)$")
    #expect(p.newest(["RELEASE.2024-01-05T10-00-00Z", "RELEASE.2024-11-30T09-59-59Z", "RELEASE.2023-12-31T23-59-59Z", "latest"])
            == "RELEASE.2024-11-30T09-59-59Z")
    let calver = try policy("alphabetical")
    #expect(calver.newest(["2024.10.1", "2024.09.30", "2025.01.01"]) == "2025.01.01")
    #expect(calver.compare("a", "B") == 1, "bytes: lower case after upper case")
  }

  @Test("semver with extract reads the version out of a longer tag")
  func semverExtract() throws {
    let p = try policy("semver", range: "^1", extract: "^app-v(?<v>.+)$")
    #expect(p.newest(["app-v1.2.0", "app-v1.10.0", "app-v2.0.0", "1.99.0"]) == "app-v1.10.0")
  }

  @Test("policies that cannot be used are refused with a reason", arguments: [
    ("newest", nil, nil, "not one of"), ("numeric", ">=1.0.0", nil, "semver only"), ("semver", "=>>1", nil, "not a version"),
    ("numeric", nil, "^build-([0-9]+)$", "(?<v>"), ("numeric", nil, "(?<v>a", "extract"), ("numeric", nil, "(a)\\1(?<v>b)", "extract"),
  ] as [(String, String?, String?, String)])
  func invalid(kind: String, range: String?, extract: String?, says: String) {
    do {
      _ = try VersionPolicy(kind: kind, range: range, extract: extract)
      Issue.record("accepted \(kind) \(range ?? "") \(extract ?? "")")
    } catch {
      #expect(error.description.contains(says), "\(error.description)")
    }
  }

  @Test("tags longer than OCI allows are never candidates")
  func longTags() throws {
    let p = try policy("alphabetical")
    #expect(p.key(String(repeating: "z", count: 129)) == nil)
    #expect(p.key("") == nil)
  }
}
