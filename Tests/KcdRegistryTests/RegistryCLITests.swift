import KcdCore
import KcdTestSupport
import Testing

/// `kcd registry …` as CI runs it: the real binary against Debian's docker-registry, with
/// exact digests, tag lists and exit codes.
@Suite(.timeLimit(.minutes(3)))
struct RegistryCLITests {
  /// Image A as `v1` and `latest`, image B as `v2`; a password file for the flags.
  static func seeded() throws -> (DistributionRegistry, TestImage, TestImage, String) {
    let registry = try DistributionRegistry()
    let a = TestImage(content: "cli-A")
    let b = TestImage(content: "cli-B")
    let layout = registry.directory + "/layout"
    try OCILayout.write(layout, images: [("a", a), ("b", b)])
    try registry.push(layout: layout, name: "a", tag: "v1")
    try registry.push(layout: layout, name: "a", tag: "latest")
    try registry.push(layout: layout, name: "b", tag: "v2")
    let passwordFile = registry.directory + "/password"
    TestEnvironment.write(DistributionRegistry.password + "\n", to: passwordFile)
    return (registry, a, b, passwordFile)
  }

  static func kcd(_ args: [String]) throws -> ProcessResult {
    try Subprocess.run([TestEnvironment.kcdBinary, "registry"] + args, timeout: 60)
  }

  static func creds(_ passwordFile: String) -> [String] { ["--username", DistributionRegistry.username, "--password-file", passwordFile] }

  @Test("resolve prints the digest skopeo reports; without credentials exit 1 with the reason")
  func resolve() throws {
    let (registry, a, _, passwordFile) = try Self.seeded()
    let r = try Self.kcd(["resolve", "\(registry.host)/team/app:v1"] + Self.creds(passwordFile))
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout == a.digest + "\n")
    #expect(a.digest == (try registry.inspectDigest(tag: "v1")))

    let anonymous = try Self.kcd(["resolve", "\(registry.host)/team/app:v1"])
    #expect(anonymous.status == 1)
    #expect(anonymous.stdout.isEmpty)
    #expect(anonymous.stderr.contains("requires authentication for team/app"), "\(anonymous)")

    let missing = try Self.kcd(["resolve", "\(registry.host)/team/app:v9"] + Self.creds(passwordFile))
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("team/app:v9 not found in \(registry.host)"), "\(missing)")
  }

  @Test("tags get lists sorted tags; with --version only the tags on that image")
  func tagsGet() throws {
    let (registry, _, _, passwordFile) = try Self.seeded()
    let all = try Self.kcd(["tags", "get", "--repo", "\(registry.host)/team/app"] + Self.creds(passwordFile))
    #expect(all.status == 0, "\(all)")
    #expect(all.stdout == "latest\nv1\nv2\n")
    let same = try Self.kcd(["tags", "get", "--repo", "\(registry.host)/team/app", "--version", "v1"] + Self.creds(passwordFile))
    #expect(same.status == 0, "\(same)")
    #expect(same.stdout == "latest\nv1\n")
  }

  @Test("tags add puts the manifest of --version under each tag (same digest)")
  func tagsAdd() throws {
    let (registry, a, b, passwordFile) = try Self.seeded()
    let r = try Self.kcd(["tags", "add", "--repo", "\(registry.host)/team/app", "--version", "v2", "--tags", "env-usdev,stable"] + Self.creds(passwordFile))
    #expect(r.status == 0, "\(r)")
    #expect(try registry.inspectDigest(tag: "env-usdev") == b.digest)
    #expect(try registry.inspectDigest(tag: "stable") == b.digest)
    #expect(try registry.inspectDigest(tag: "v1") == a.digest)
    let same = try Self.kcd(["tags", "get", "--repo", "\(registry.host)/team/app", "--version", "v2"] + Self.creds(passwordFile))
    #expect(same.stdout == "env-usdev\nstable\nv2\n")
    // Moving a tag: env-usdev now follows v1.
    let move = try Self.kcd(["tags", "add", "--repo", "\(registry.host)/team/app", "--version", "v1", "--tags", "env-usdev"] + Self.creds(passwordFile))
    #expect(move.status == 0, "\(move)")
    #expect(try registry.inspectDigest(tag: "env-usdev") == a.digest)
  }

  @Test("tags remove fails with the clear cannot-delete error, exit 1, nothing removed")
  func tagsRemove() throws {
    let (registry, a, _, passwordFile) = try Self.seeded()
    let r = try Self.kcd(["tags", "remove", "--repo", "\(registry.host)/team/app", "--tags", "latest"] + Self.creds(passwordFile))
    #expect(r.status == 1)
    #expect(r.stderr.contains("this registry's API cannot delete a tag; delete the manifest by digest or use the registry's own API"), "\(r)")
    #expect(try registry.inspectDigest(tag: "latest") == a.digest)
  }

  @Test("--docker-config reads a dockerconfigjson file")
  func dockerConfig() throws {
    let (registry, a, _, _) = try Self.seeded()
    let auth = Base64.encode(Array(registry.credentials.utf8))
    let config = registry.directory + "/config.json"
    TestEnvironment.write(#"{"auths":{"http://\#(registry.host)/v2/":{"auth":"\#(auth)"}}}"#, to: config)
    let r = try Self.kcd(["resolve", "\(registry.host)/team/app:latest", "--docker-config", config])
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout == a.digest + "\n")
  }

  @Test("usage errors exit 2")
  func usage() throws {
    #expect(try Self.kcd(["tags", "get"]).status == 2)
    #expect(try Self.kcd(["tags", "add", "--repo", "127.0.0.1:1/a", "--version", "v1"]).status == 2)
    #expect(try Self.kcd(["resolve", "127.0.0.1:1/a"]).status == 2)
    #expect(try Self.kcd(["resolve", "127.0.0.1:1/a:v1", "--username", "u"]).status == 2)
    #expect(try Self.kcd(["frobnicate"]).status == 2)
    let help = try Self.kcd(["--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("kcd registry tags add --repo R --version V --tags a,b"))
  }
}
