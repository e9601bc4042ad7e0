import KcdRegistry
import Testing

/// Repository → (registry host, path), API base URLs (Docker Hub's own host, plain HTTP for
/// loopback and listed hosts), reference splitting and refusals.
@Suite struct ImageNameTests {
  @Test(arguments: [
    ("nginx", "docker.io", "library/nginx"),
    ("docker.io/library/nginx", "docker.io", "library/nginx"),
    ("index.docker.io/org/app:1.0", "docker.io", "org/app"),
    ("registry.example:5000/team/app", "registry.example:5000", "team/app"),
    ("Registry.Example/team/sub/app@sha256:" + String(repeating: "a", count: 64), "registry.example", "team/sub/app"),
    ("localhost:5000/app", "localhost:5000", "app"),
    ("[::1]:5000/a__b/c-d--e.f", "[::1]:5000", "a__b/c-d--e.f"),
  ])
  func split(input: String, registry: String, path: String) throws {
    let name = try ImageName(input)
    #expect(name.registry == registry)
    #expect(name.path == path)
    #expect(name.canonical == registry + "/" + path)
  }

  @Test(arguments: ["", "registry.example/Team/App", "registry.example/team//app", "registry.example/-app", "registry.example/app_", "r.example/a...b", "reg istry.example/app"])
  func invalidNamesAreRefused(input: String) {
    #expect(throws: RegistryError.self) { _ = try ImageName(input) }
  }

  @Test(arguments: [
    ("docker.io/library/nginx", "https://registry-1.docker.io"),
    ("registry.example:5000/team/app", "https://registry.example:5000"),
    ("localhost/app", "http://localhost"),
    ("localhost:5000/app", "http://localhost:5000"),
    ("127.0.0.1:5000/app", "http://127.0.0.1:5000"),
    ("127.1.2.3/app", "http://127.1.2.3"),
    ("[::1]:5000/app", "http://[::1]:5000"),
    ("127.0.0.1.example.com/app", "https://127.0.0.1.example.com"),
    ("128.0.0.1:5000/app", "https://128.0.0.1:5000"),
    ("localhost.example/app", "https://localhost.example"),
  ])
  func baseURLs(input: String, url: String) throws {
    #expect(try ImageName(input).baseURL() == url)
  }

  @Test func insecureRegistriesList() throws {
    let listed = ["http://build.internal:5000/", "cache.internal"]
    #expect(try ImageName("build.internal:5000/app").baseURL(insecureRegistries: listed) == "http://build.internal:5000")
    #expect(try ImageName("build.internal:5001/app").baseURL(insecureRegistries: listed) == "https://build.internal:5001")
    #expect(try ImageName("build.internal/app").baseURL(insecureRegistries: listed) == "https://build.internal")
    #expect(try ImageName("cache.internal:8443/app").baseURL(insecureRegistries: listed) == "http://cache.internal:8443")
    #expect(try ImageName("cache.internal/app").baseURL(insecureRegistries: listed) == "http://cache.internal")
    #expect(try ImageName("docker.io/app").baseURL(insecureRegistries: ["docker.io"]) == "https://registry-1.docker.io")
  }

  @Test func ecrHosts() throws {
    #expect(try ImageName("123456789012.dkr.ecr.us-east-1.amazonaws.com/nearmap/photos").isECR)
    #expect(try ImageName("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/a").isECR)
    #expect(try !ImageName("registry.example/dkr.ecr/app").isECR)
    #expect(try !ImageName("ecr.amazonaws.com.evil.example/app").isECR)
  }

  @Test func referenceSplitting() {
    #expect(ImageName.splitReference("registry.example:5000/team/app:v1") == ("registry.example:5000/team/app", "v1", nil))
    #expect(ImageName.splitReference("localhost:5000/app") == ("localhost:5000/app", nil, nil))
    #expect(ImageName.splitReference("nginx:1.25") == ("nginx", "1.25", nil))
    #expect(ImageName.splitReference("r.example/a:t@sha256:abc") == ("r.example/a", "t", "sha256:abc"))
    #expect(ImageName.splitReference("r.example/a@sha256:abc") == ("r.example/a", nil, "sha256:abc"))
  }
}
