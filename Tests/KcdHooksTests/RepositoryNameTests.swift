@testable import KcdHooks
import Testing

@Suite struct RepositoryNameTests {
  @Test("normalisation", arguments: [
    ("nginx", "docker.io/library/nginx"),
    ("nginx:1.27", "docker.io/library/nginx"),
    ("library/nginx", "docker.io/library/nginx"),
    ("index.docker.io/foo/bar", "docker.io/foo/bar"),
    ("docker.io/foo/bar@sha256:abc", "docker.io/foo/bar"),
    ("Registry.Example:5000/team/app:v1", "registry.example:5000/team/app"),
    ("localhost/app", "localhost/app"),
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com/nearmap/photos", "123456789012.dkr.ecr.us-east-1.amazonaws.com/nearmap/photos"),
  ])
  func normalize(input: String, expected: String) {
    #expect(RepositoryName.normalize(input) == expected)
  }

  @Test("the fast path for names already canonical agrees with building the name", arguments: [
    "nginx", "docker.io/nginx", "docker.io/library/nginx", "docker.io/foo/bar", "index.docker.io/foo/bar", "registry-1.docker.io/a/b",
    "Registry.Example/a", "registry.example/a", "registry.example/a:1", "registry.example:5000/a", "registry.example:5000/a:2",
    "registry.example/a/b/c", "registry.example/a@sha256:00", " registry.example/a", "registry.example/a ", "localhost/app", "localhost:5000/x",
    "localhost", "host/app", "host.example", "/a/b", "registry.example/", "a.b/c:d/e", "ghcr.io/Owner/repo", "REG.io/x",
  ])
  func fastPath(name: String) {
    let built = RepositoryName.rebuilt(name)
    #expect(RepositoryName.normalize(name) == built, "\(name)")
    if RepositoryName.isCanonical(name) { #expect(built == name, "\(name) was called canonical") }
    #expect(RepositoryName.normalize(built) == built, "idempotent: \(built)")
  }

  @Test("tags, digests and names are validated")
  func validation() {
    #expect(RepositoryName.isValidTag("env-usdev-api"))
    #expect(RepositoryName.isValidTag("3ae8d1b"))
    #expect(!RepositoryName.isValidTag("-bad"))
    #expect(!RepositoryName.isValidTag(""))
    #expect(!RepositoryName.isValidTag(String(repeating: "a", count: 129)))
    #expect(RepositoryName.isValidDigest("sha256:" + String(repeating: "a", count: 64)))
    #expect(!RepositoryName.isValidDigest("sha256:" + String(repeating: "A", count: 64)))
    #expect(!RepositoryName.isValidDigest("sha256:abc"))
    #expect(RepositoryName.isValid("registry.example/team/app"))
    #expect(!RepositoryName.isValid("bad repo"))
  }

  /// distribution/reference's grammar (reference.go; its tests' valid and invalid names).
  @Test("names follow the distribution reference grammar", arguments: [
    ("registry.example/team/app", true), ("nginx", true), ("library/nginx", true), ("Registry.Example:5000/team/app", true),
    ("localhost/app", true), ("localhost:5000/app", true), ("123456789012.dkr.ecr.us-east-1.amazonaws.com/nearmap/photos", true),
    ("a/b__c/d-e--f/g.h", true), ("gcr.io/project/image", true), ("127.0.0.1:5000/app", true),
    ("registry.example/Team/app", false), ("Nginx", false), ("bad repo", false), ("a/b/", false), ("/a", false), ("a//b", false),
    ("a/b___c", false), ("registry.example/", false), ("a..b/c", false), ("a/-b", false), ("a/b-", false), ("a/.b", false), ("a/b..c", false), ("registry.example:port/app", false),
    ("-registry.example/app", false), ("Registry/app", false), ("registry.example:123456/app", false), ("a/b:tag", false),
  ])
  func grammar(name: String, valid: Bool) {
    #expect(RepositoryName.isValid(name) == valid, "\(name)")
  }

  /// distribution/reference parses the name after normalising it and refuses one longer than
  /// NameTotalLengthMax (255). Found by the image-reference fuzz harness: a 502-character
  /// Docker Hub name was valid, and its canonical `docker.io/library/…` form was not.
  @Test("the 255-character limit applies to the canonical name")
  func lengthOfTheCanonicalName() {
    let host = "registry.example"
    let longest = host + "/" + String(repeating: "a", count: 255 - host.count - 1)
    #expect(RepositoryName.isValid(longest))
    #expect(!RepositoryName.isValid(longest + "b"))
    // `docker.io/library/` + 237 characters is 255.
    let hub = String(repeating: "a", count: 237)
    #expect(RepositoryName.isValid(hub))
    #expect(!RepositoryName.isValid(hub + "b"))
    #expect(RepositoryName.normalize(hub).utf8.count == 255)
    // `docker.io/` + 245 characters with a slash is 255; no `library/` is added.
    let team = "team/" + String(repeating: "a", count: 240)
    #expect(RepositoryName.isValid(team))
    #expect(!RepositoryName.isValid(team + "b"))
    // Docker Hub's other names shrink to `docker.io`, whatever their case, and gain `library/`.
    let other = "Registry-1.Docker.IO/" + hub
    #expect(other.utf8.count > 255)
    #expect(RepositoryName.isValid(other))
    #expect(RepositoryName.normalize(other) == RepositoryName.normalize(hub))
    #expect(!RepositoryName.isValid("Registry-1.Docker.IO/" + hub + "b"))
    #expect(!RepositoryName.isValid("docker.io/" + hub + "b"))
    // The harness's finding, shortened to its shape: dotted, one component, 502 characters.
    let found = String(repeating: "212r.ecr.us-east-1r", count: 26) + "a"
    #expect(found.utf8.count > 255 && !RepositoryName.isValid(found))
    for name in [longest, hub, team, other] {
      #expect(RepositoryName.isValid(RepositoryName.normalize(name)), "\(name)")
    }
  }
}
