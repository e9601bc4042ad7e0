import KcdCore
import KcdHTTP
import KcdRegistry
import KcdTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The Bearer token flow against `TokenRegistry` (a registry and its realm on loopback):
/// token fetched with Basic credentials or anonymously, cached per scope until it expires,
/// push scope for PUT, refusals that say why without leaking secrets, and manifest digests
/// computed over the exact bytes when a registry leaves the header out.
@Suite(.timeLimit(.minutes(2)))
struct TokenAuthTests {
  static let manifest = Array("{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",  \"config\": {}, \"layers\": []\n}\n".utf8)

  static func client(_ registry: TokenRegistry, credential: RegistryCredential? = nil, codes: Shared<[String]>? = nil) -> OCIRegistryClient {
    var options = OCIRegistryClient.Options()
    if let credential { options.credentials.set(credential, forHost: registry.host) }
    options.onRequest = { host, code in
      #expect(host == registry.host)
      codes?.with { $0.append(code) }
    }
    return OCIRegistryClient(options: options)
  }

  static func registry(_ tweak: (inout TokenRegistry.Settings) -> Void = { _ in }) throws -> TokenRegistry {
    var settings = TokenRegistry.Settings()
    tweak(&settings)
    let registry = try TokenRegistry(settings)
    registry.store(tag: "v1", bytes: manifest, mediaType: ManifestMediaType.ociManifest)
    return registry
  }

  @Test("401 → token from the realm with Basic credentials → retried with the token; cached after")
  func bearerFlowWithCredentials() throws {
    let registry = try Self.registry()
    defer { registry.fake.stop() }
    let codes = Shared<[String]>([])
    let client = Self.client(registry, credential: .basic(username: "robot", password: "t0ken, pa55"), codes: codes)
    let resolved = try client.resolve(repository: "\(registry.host)/team/app", tag: "v1")
    #expect(resolved == ResolvedManifest(digest: sha256(Self.manifest), mediaType: ManifestMediaType.ociManifest))
    #expect(codes.current == ["401", "200", "200"])
    let token = try #require(registry.tokenRequests.first)
    #expect(token.method == "GET")
    #expect(token.authorization == "Basic " + Base64.encode(Array("robot:t0ken, pa55".utf8)))
    #expect(token.query["service"] == ["fake registry"])
    #expect(token.query["scope"] == ["repository:team/app:pull"])
    let heads = registry.fake.requests.filter { $0.method == "HEAD" }
    #expect(heads.count == 2)
    let allFour = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
      + "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"
    #expect(heads.allSatisfy { $0.accept == allFour })
    #expect(heads.last?.authorization?.hasPrefix("Bearer tok-") == true)

    // Same scope again: the cached token goes out at once, no new challenge or token.
    #expect(try client.resolve(repository: "\(registry.host)/team/app", tag: "v1").digest == resolved.digest)
    #expect(codes.current == ["401", "200", "200", "200"])
    #expect(registry.tokenRequests.count == 1)
  }

  @Test("anonymous pull token, answered in access_token")
  func anonymousAccessToken() throws {
    let registry = try Self.registry { $0.allowAnonymousPull = true; $0.tokenField = "access_token"; $0.expiresIn = nil }
    defer { registry.fake.stop() }
    let client = Self.client(registry)
    #expect(try client.resolve(repository: "\(registry.host)/team/app", tag: "v1").digest == sha256(Self.manifest))
    #expect(registry.tokenRequests.count == 1)
    #expect(registry.tokenRequests.first?.authorization == nil)
    // Anonymous tokens carry no push right: the PUT's second 401 is a clear refusal.
    do {
      try client.putManifest(repository: "\(registry.host)/team/app", tag: "v2", bytes: Self.manifest, mediaType: ManifestMediaType.ociManifest)
      Issue.record("an anonymous push must fail")
    } catch {
      #expect(error.isUnauthorized)
      #expect(error.status == 401)
      #expect(error.message.contains("refused anonymous access"), "\(error.message)")
    }
  }

  @Test("wrong password: unauthorized, status 401, message names the host and hides the password")
  func wrongPassword() throws {
    let registry = try Self.registry()
    defer { registry.fake.stop() }
    let client = Self.client(registry, credential: .basic(username: "robot", password: "not-the-pa55word"))
    do {
      _ = try client.resolve(repository: "\(registry.host)/team/app", tag: "v1")
      Issue.record("expected a refusal")
    } catch {
      #expect(error.isUnauthorized)
      #expect(error.status == 401)
      #expect(error.label == "unauthorized")
      #expect(error.message.contains("refused our credentials"), "\(error.message)")
      #expect(error.message.contains(registry.host))
      #expect(!error.message.contains("not-the-pa55word"))
    }
  }

  @Test("no credentials and no anonymous access: told to configure credentials")
  func anonymousRefused() throws {
    let registry = try Self.registry()
    defer { registry.fake.stop() }
    do {
      _ = try Self.client(registry).resolve(repository: "\(registry.host)/team/app", tag: "v1")
      Issue.record("expected a refusal")
    } catch {
      #expect(error.isUnauthorized)
      #expect(error.message.contains("anonymous access was refused"), "\(error.message)")
    }
  }

  @Test("PUT asks for pull,push; the new tag has the same digest; tags list through the token")
  func pushScope() throws {
    let registry = try Self.registry()
    defer { registry.fake.stop() }
    let client = Self.client(registry, credential: .basic(username: "robot", password: "t0ken, pa55"))
    let repo = "\(registry.host)/team/app"
    try client.addTags(repository: repo, version: "v1", tags: ["prod", "stable"])
    #expect(registry.tokenRequests.map { $0.query["scope"] ?? [] } == [["repository:team/app:pull"], ["repository:team/app:pull,push"]])
    #expect(try client.resolve(repository: repo, tag: "prod").digest == sha256(Self.manifest))
    #expect(registry.manifests.current["stable"]?.bytes == Self.manifest)
    #expect(registry.manifests.current["stable"]?.mediaType == ManifestMediaType.ociManifest)
    #expect(try client.tags(repository: repo) == ["prod", "stable", "v1"])
    #expect(try client.tags(repository: repo, sameDigestAs: "v1").sorted() == ["prod", "stable", "v1"])
  }

  @Test("a token is used until shortly before expires_in, then fetched again")
  func tokenExpiry() throws {
    let registry = try Self.registry { $0.expiresIn = 2 }
    defer { registry.fake.stop() }
    let client = Self.client(registry, credential: .basic(username: "robot", password: "t0ken, pa55"))
    let repo = "\(registry.host)/team/app"
    _ = try client.resolve(repository: repo, tag: "v1")
    _ = try client.resolve(repository: repo, tag: "v1")
    #expect(registry.tokenRequests.count == 1)
    usleep(2_100_000)
    _ = try client.resolve(repository: repo, tag: "v1")
    #expect(registry.tokenRequests.count == 2)
    // Expired locally and the realm is known, so no wasted 401: HEAD (401), token, HEAD, HEAD,
    // then token, HEAD.
    #expect(registry.fake.requests.map { $0.path == "/token" ? "token" : $0.method } == ["HEAD", "token", "HEAD", "HEAD", "token", "HEAD"])
  }

  @Test("an identity token is exchanged with the OAuth2 refresh-token POST")
  func identityToken() throws {
    let registry = try Self.registry()
    defer { registry.fake.stop() }
    let client = Self.client(registry, credential: .identityToken("refresh-4f2a"))
    let repo = "\(registry.host)/team/app"
    #expect(try client.resolve(repository: repo, tag: "v1").digest == sha256(Self.manifest))
    try client.addTags(repository: repo, version: "v1", tags: ["from-identity"])
    #expect(registry.tokenRequests.map(\.method) == ["POST", "POST"])
    #expect(registry.tokenRequests.allSatisfy { $0.authorization == nil })
    #expect(registry.manifests.current["from-identity"]?.bytes == Self.manifest)

    let wrong = Self.client(registry, credential: .identityToken("stale"))
    #expect(throws: RegistryError.self) { _ = try wrong.resolve(repository: repo, tag: "v1") }
  }

  @Test("a registry token goes out as the bearer token up front, no token service involved")
  func registryToken() throws {
    let registry = try Self.registry()
    defer { registry.fake.stop() }
    registry.grants.with { $0["static-token"] = ["team/app:pull"] }
    let client = Self.client(registry, credential: .registryToken("static-token"))
    #expect(try client.resolve(repository: "\(registry.host)/team/app", tag: "v1").digest == sha256(Self.manifest))
    #expect(registry.fake.requests.map(\.authorization) == ["Bearer static-token"])
  }

  @Test("no Docker-Content-Digest on HEAD: GET, and sha256 over the exact bytes")
  func digestFromBodyWhenHeaderMissing() throws {
    let registry = try Self.registry { $0.digestOnHead = false }
    defer { registry.fake.stop() }
    let client = Self.client(registry, credential: .basic(username: "robot", password: "t0ken, pa55"))
    let resolved = try client.resolve(repository: "\(registry.host)/team/app", tag: "v1")
    #expect(resolved.digest == sha256(Self.manifest))
    #expect(registry.fake.requests.filter { $0.path.hasSuffix("/manifests/v1") }.map(\.method) == ["HEAD", "HEAD", "GET"])
    let content = try client.manifest(repository: "\(registry.host)/team/app", reference: resolved.digest)
    #expect(content.bytes == Self.manifest)
  }

  @Test("a GET whose bytes do not match Docker-Content-Digest is refused")
  func digestMismatch() throws {
    let registry = try Self.registry { $0.wrongDigestOnGet = true }
    defer { registry.fake.stop() }
    let client = Self.client(registry, credential: .basic(username: "robot", password: "t0ken, pa55"))
    do {
      _ = try client.manifest(repository: "\(registry.host)/team/app", reference: "v1")
      Issue.record("expected a digest mismatch")
    } catch {
      #expect(error.label == "digest_mismatch")
    }
  }

  @Test("a missing tag is not_found with status 404")
  func missingTag() throws {
    let registry = try Self.registry()
    defer { registry.fake.stop() }
    let client = Self.client(registry, credential: .basic(username: "robot", password: "t0ken, pa55"))
    do {
      _ = try client.manifest(repository: "\(registry.host)/team/app", reference: "nope")
      Issue.record("expected not found")
    } catch {
      #expect(error.isNotFound)
      #expect(error.status == 404)
      #expect(error.message.contains("MANIFEST_UNKNOWN"), "\(error.message)")
    }
  }
}
