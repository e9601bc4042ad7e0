import KcdRegistry
import KcdTestSupport
import Testing

/// The OCI client against Debian's real `docker-registry` (Distribution 2.8, htpasswd/bcrypt
/// Basic auth), with images pushed by `skopeo copy` from hand-written OCI layouts; each test
/// has its own registry on its own port.
@Suite(.timeLimit(.minutes(3)))
struct DistributionRegistryTests {
  /// A registry holding image A as `v1` and a two-platform index as `multi`.
  static func seeded() throws -> (DistributionRegistry, TestImage, TestIndex, String) {
    let registry = try DistributionRegistry()
    let image = TestImage(content: "A")
    let index = TestIndex([TestImage(content: "multi-amd64", architecture: "amd64"), TestImage(content: "multi-arm64", architecture: "arm64")])
    let layout = registry.directory + "/layout"
    try OCILayout.write(layout, images: [("a", image)], indexes: [("multi", index)])
    try registry.push(layout: layout, name: "a", tag: "v1")
    try registry.push(layout: layout, name: "multi", tag: "multi")
    return (registry, image, index, layout)
  }

  static func client(_ registry: DistributionRegistry, password: String = DistributionRegistry.password, codes: Shared<[String]>? = nil) -> OCIRegistryClient {
    var options = OCIRegistryClient.Options()
    options.credentials.set(.basic(username: DistributionRegistry.username, password: password), forHost: registry.host)
    options.onRequest = { _, code in codes?.with { $0.append(code) } }
    return OCIRegistryClient(options: options)
  }

  @Test("a tag resolves to the digest skopeo reports; an index to the index digest")
  func resolveMatchesSkopeo() throws {
    let (registry, image, index, _) = try Self.seeded()
    let codes = Shared<[String]>([])
    let client = Self.client(registry, codes: codes)
    let repo = "\(registry.host)/team/app"
    let resolved = try client.resolve(repository: repo, tag: "v1")
    #expect(resolved.digest == image.digest)
    #expect(resolved.digest == (try registry.inspectDigest(tag: "v1")))
    #expect(resolved.mediaType == ManifestMediaType.ociManifest)
    // Basic challenge answered once, then the Basic header goes out up front.
    #expect(codes.current == ["401", "200"])

    let multi = try client.resolve(repository: repo, tag: "multi")
    #expect(multi.digest == index.digest)
    #expect(multi.digest == (try registry.inspectDigest(tag: "multi")))
    #expect(multi.mediaType == ManifestMediaType.ociIndex)
    #expect(ManifestMediaType.isIndex(multi.mediaType))
    #expect(codes.current == ["401", "200", "200"])

    let content = try client.manifest(repository: repo, reference: "v1")
    #expect(content.bytes == image.manifest)
    #expect(content.digest == image.digest)
    #expect(try client.resolve(repository: repo, tag: image.digest).digest == image.digest)
  }

  @Test("without credentials, or with a wrong password, access is refused with a clear error")
  func unauthenticatedRefused() throws {
    let (registry, _, _, _) = try Self.seeded()
    let repo = "\(registry.host)/team/app"
    do {
      _ = try OCIRegistryClient().resolve(repository: repo, tag: "v1")
      Issue.record("anonymous access must fail")
    } catch {
      #expect(error.isUnauthorized)
      #expect(error.status == 401)
      #expect(error.message == "\(registry.host) requires authentication for team/app and no username/password is configured for it")
    }
    do {
      _ = try Self.client(registry, password: "wrong-password").tags(repository: repo)
      Issue.record("a wrong password must fail")
    } catch {
      #expect(error.isUnauthorized)
      #expect(error.message.contains("refused our credentials for team/app"), "\(error.message)")
      #expect(!error.message.contains("wrong-password"))
    }
  }

  @Test("five tags listed in full (Distribution 2.8 ignores n, so n=2 still gets one page)")
  func tagsListing() throws {
    let (registry, _, _, layout) = try Self.seeded()
    let repo = "\(registry.host)/team/five"
    let tags = ["t1", "t2", "t3", "t4", "t5"]
    for tag in tags { try registry.push(layout: layout, name: "a", repository: "team/five", tag: tag) }
    let client = Self.client(registry)
    let paged = try client.tags(repository: repo, pageSize: 2)
    #expect(paged.sorted() == tags)
    #expect(paged.count == 5)
    #expect(try client.tags(repository: repo).sorted() == tags)
    #expect(try client.tags(repository: "\(registry.host)/team/app").sorted() == ["multi", "v1"])
  }

  @Test("put-manifest adds a tag with the same digest; tags on the same image are found")
  func putManifestAddsTag() throws {
    let (registry, image, _, layout) = try Self.seeded()
    let other = TestImage(content: "B")
    try OCILayout.write(layout, images: [("a", image), ("b", other)])
    try registry.push(layout: layout, name: "b", tag: "v2")
    let client = Self.client(registry)
    let repo = "\(registry.host)/team/app"
    let content = try client.manifest(repository: repo, reference: "v1")
    let digest = try client.putManifest(repository: repo, tag: "prod", bytes: content.bytes, mediaType: content.mediaType)
    #expect(digest == image.digest)
    #expect(try client.resolve(repository: repo, tag: "prod").digest == image.digest)
    #expect(try registry.inspectDigest(tag: "prod") == image.digest)

    try client.addTags(repository: repo, version: "v1", tags: ["stable", "env-usdev"])
    #expect(try registry.inspectDigest(tag: "env-usdev") == image.digest)
    #expect(try client.tags(repository: repo, sameDigestAs: "v1").sorted() == ["env-usdev", "prod", "stable", "v1"])
    #expect(try client.tags(repository: repo, sameDigestAs: "v2") == ["v2"])
    #expect(try client.resolve(repository: repo, tag: "v2").digest == other.digest)
  }

  @Test("missing tag and repository: not_found with 404; a tag cannot be removed")
  func notFoundAndRemove() throws {
    let (registry, _, _, _) = try Self.seeded()
    let client = Self.client(registry)
    for (repo, tag) in [("team/app", "nope"), ("team/none", "v1")] {
      do {
        _ = try client.resolve(repository: "\(registry.host)/\(repo)", tag: tag)
        Issue.record("expected not found for \(repo):\(tag)")
      } catch {
        #expect(error.isNotFound)
        #expect(error.status == 404)
      }
    }
    do {
      try client.removeTag(repository: "\(registry.host)/team/app", tag: "v1")
      Issue.record("expected unsupported")
    } catch {
      #expect(error.isUnsupported)
      #expect(error.message.contains("this registry's API cannot delete a tag; delete the manifest by digest or use the registry's own API"))
    }
    #expect(try client.resolve(repository: "\(registry.host)/team/app", tag: "v1").digest == TestImage(content: "A").digest)
  }
}
