import KcdRegistry
import Synchronization
import Testing

/// The seam between the OCI client and the ECR client: ECR hosts go to the plugged-in ECR
/// client (or fail clearly without one), every other host to the OCI client. Nothing here
/// sends a request.
@Suite struct RegistryClientFactoryTests {
  /// Records which repositories it was asked about.
  final class StubClient: RegistryClient, Sendable {
    let calls = Mutex<[String]>([])
    func resolve(repository: String, tag: String) throws(RegistryError) -> ResolvedManifest {
      calls.withLock { $0.append("resolve \(repository):\(tag)") }
      return ResolvedManifest(digest: "sha256:" + String(repeating: "e", count: 64), mediaType: ManifestMediaType.dockerManifest)
    }
    func tags(repository: String) throws(RegistryError) -> [String] { [] }
    func tags(repository: String, sameDigestAs version: String) throws(RegistryError) -> [String] { [version] }
    func addTags(repository: String, version: String, tags: [String]) throws(RegistryError) {}
    func removeTag(repository: String, tag: String) throws(RegistryError) {}
  }

  static let ecrRepository = "123456789012.dkr.ecr.us-east-1.amazonaws.com/nearmap/photos"

  @Test func ecrWithoutAnECRClientIsAClearError() {
    let factory = RegistryClientFactory(oci: OCIRegistryClient())
    do {
      _ = try factory.client(for: Self.ecrRepository)
      Issue.record("expected unsupported")
    } catch {
      #expect(error.isUnsupported)
      #expect(error.message.contains("123456789012.dkr.ecr.us-east-1.amazonaws.com is an Amazon ECR registry"))
    }
  }

  @Test func ecrHostsGoToThePluggedInClient() throws {
    let stub = StubClient()
    let asked = Mutex<[String]>([])
    let factory = RegistryClientFactory(oci: OCIRegistryClient()) { (name: ImageName) throws(RegistryError) -> any RegistryClient in
      asked.withLock { $0.append(name.canonical) }
      return stub
    }
    let client = try factory.client(for: Self.ecrRepository + ":v1")
    #expect(try client.resolve(repository: Self.ecrRepository, tag: "v1").mediaType == ManifestMediaType.dockerManifest)
    #expect(asked.withLock { $0 } == [Self.ecrRepository])
    #expect(stub.calls.withLock { $0 } == ["resolve \(Self.ecrRepository):v1"])
  }

  @Test func otherHostsGoToTheOCIClient() throws {
    let oci = OCIRegistryClient()
    let factory = RegistryClientFactory(oci: oci) { (_: ImageName) throws(RegistryError) -> any RegistryClient in
      Issue.record("the ECR client must not be asked")
      return StubClient()
    }
    for repository in ["registry.example:5000/team/app", "nginx", "ghcr.io/org/app"] {
      #expect(try factory.client(for: repository) as? OCIRegistryClient === oci)
    }
    #expect(throws: RegistryError.self) { _ = try factory.client(for: "registry.example/Bad Name") }
  }

  @Test func removeTagIsRefusedByTheOCIClient() {
    do {
      try OCIRegistryClient().removeTag(repository: "registry.example/team/app", tag: "v1")
      Issue.record("expected unsupported")
    } catch {
      #expect(error.isUnsupported)
      #expect(error.label == "unsupported")
      #expect(error.message == "cannot remove tag v1 of registry.example/team/app: this registry's API cannot delete a tag; delete the manifest by digest or use the registry's own API")
    }
  }
}
