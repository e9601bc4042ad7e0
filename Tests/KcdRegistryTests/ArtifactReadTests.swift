import KcdCrypto
import KcdHTTP
import KcdRegistry
import Testing

/// The raw reads signature verification needs — blobs and the OCI 1.1 referrers list —
/// against a fake registry: redirects, digests, limits, and registries without the API.
@Suite(.timeLimit(.minutes(1)))
struct ArtifactReadTests {
  static let blob: [UInt8] = Array(#"{"critical":{}}"#.utf8)
  static var blobDigest: String { "sha256:" + Digest.hex(Digest.sha256(blob)) }
  static let index: [UInt8] = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.utf8)

  static func client(_ host: String) -> OCIRegistryClient {
    var options = OCIRegistryClient.Options()
    options.credentials.set(.basic(username: "u", password: "p"), forHost: host)
    return OCIRegistryClient(options: options)
  }

  @Test("a blob is read and checked against its digest; a redirect to storage elsewhere gets no Authorization")
  func blobWithRedirect() throws {
    let storage = try FakeRegistry { request, _ in
      request.path == "/bucket/blob" ? HTTPResponse(status: 200, body: Self.blob) : HTTPResponse(status: 404)
    }
    defer { storage.stop() }
    let registry = try FakeRegistry { request, _ in
      guard request.headers["Authorization"] != nil else { return RegistryResponses.error(401, "UNAUTHORIZED", "auth", headers: ["WWW-Authenticate": #"Basic realm="r""#]) }
      var headers = HTTPHeaders()
      headers.set("Location", "http://\(storage.host)/bucket/blob")
      return HTTPResponse(status: 307, headers: headers)
    }
    defer { registry.stop() }
    let bytes = try Self.client(registry.host).blob(repository: "\(registry.host)/team/app", digest: Self.blobDigest)
    #expect(bytes == Self.blob)
    #expect(storage.requests.map(\.path) == ["/bucket/blob"])
    #expect(storage.requests.allSatisfy { $0.authorization == nil })
    #expect(registry.requests.last?.path == "/v2/team/app/blobs/\(Self.blobDigest)")
  }

  @Test("a blob whose bytes are not its digest, or longer than the limit, is refused")
  func blobRefusals() throws {
    let registry = try FakeRegistry { _, _ in HTTPResponse(status: 200, body: Array("other bytes".utf8)) }
    defer { registry.stop() }
    let repo = "\(registry.host)/team/app"
    do {
      _ = try OCIRegistryClient().blob(repository: repo, digest: Self.blobDigest)
      Issue.record("a blob with another digest must be refused")
    } catch {
      #expect(error.label == "digest_mismatch")
    }
    do {
      _ = try OCIRegistryClient().blob(repository: repo, digest: Self.blobDigest, maximumBytes: 4)
      Issue.record("a blob over the limit must be refused")
    } catch {
      #expect(error.isTooLarge)
      #expect(!error.isTemporary)
    }
  }

  @Test("referrers: the API's index comes back as sent, with the artifactType filter; 404 means no API")
  func referrers() throws {
    let registry = try FakeRegistry { request, _ in
      request.path == "/v2/team/app/referrers/\(Self.blobDigest)" ? HTTPResponse(status: 200, body: Self.index) : RegistryResponses.error(404, "NOT_FOUND", "no route")
    }
    defer { registry.stop() }
    let client = OCIRegistryClient()
    let found = try client.referrers(repository: "\(registry.host)/team/app", digest: Self.blobDigest, artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json")
    #expect(found == Self.index)
    #expect(registry.requests.last?.query["artifactType"] == ["application/vnd.dev.sigstore.bundle.v0.3+json"])
    #expect(try client.referrers(repository: "\(registry.host)/team/other", digest: Self.blobDigest) == nil)
  }

  @Test("referrers: a 5xx is temporary, not 'no API'")
  func referrersUnavailable() throws {
    let registry = try FakeRegistry { _, _ in RegistryResponses.error(500, "UNKNOWN", "boom") }
    defer { registry.stop() }
    var options = OCIRegistryClient.Options()
    options.maximumAttempts = 1
    do {
      _ = try OCIRegistryClient(options: options).referrers(repository: "\(registry.host)/team/app", digest: Self.blobDigest)
      Issue.record("a 500 must be an error")
    } catch {
      #expect(error.isTemporary)
    }
  }
}
