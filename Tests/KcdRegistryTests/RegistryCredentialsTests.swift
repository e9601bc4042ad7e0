import KcdCore
import KcdRegistry
import Testing

/// Docker config parsing (`kubernetes.io/dockerconfigjson`, `.dockercfg`) and lookup by host.
@Suite struct RegistryCredentialsTests {
  static func auth(_ userPass: String) -> String { Base64.encode(Array(userPass.utf8)) }

  @Test func dockerConfigJSONForms() throws {
    let json = """
      {"auths": {
        "https://index.docker.io/v1/": {"auth": "\(Self.auth("hubuser:hub:pass"))"},
        "registry.example:5000": {"username": "ci", "password": "s3cret"},
        "https://Quay.IO/v2/": {"auth": "\(Self.auth("robot+x:tok"))", "email": "x@y"},
        "ghcr.io": {"identitytoken": "refresh-me"},
        "reg.local": {"registrytoken": "bearer-me"},
        "empty.example": {}
      }}
      """
    let c = try RegistryCredentials.parseDockerConfigJSON(Array(json.utf8))
    #expect(c.credential(forHost: "docker.io") == .basic(username: "hubuser", password: "hub:pass"))
    #expect(c.credential(forHost: "registry-1.docker.io") == .basic(username: "hubuser", password: "hub:pass"))
    #expect(c.credential(forHost: "registry.example:5000") == .basic(username: "ci", password: "s3cret"))
    #expect(c.credential(forHost: "registry.example") == nil)
    #expect(c.credential(forHost: "quay.io") == .basic(username: "robot+x", password: "tok"))
    #expect(c.credential(forHost: "ghcr.io") == .identityToken("refresh-me"))
    #expect(c.credential(forHost: "reg.local") == .registryToken("bearer-me"))
    #expect(c.credential(forHost: "empty.example") == nil)
    #expect(c.byHost.count == 5)
  }

  @Test func legacyDockercfg() throws {
    let cfg = #"{"https://registry.example/v1/": {"auth": "\#(Self.auth("a:b"))", "email": "e"}}"#
    let c = try RegistryCredentials.parseDockerCfg(Array(cfg.utf8))
    #expect(c.credential(forHost: "registry.example") == .basic(username: "a", password: "b"))
    #expect(try RegistryCredentials.parseDockerConfig(Array(cfg.utf8)) == c)
  }

  @Test func hostKeySpellings() {
    #expect(RegistryCredentials.canonicalHost("https://index.docker.io/v1/") == "docker.io")
    #expect(RegistryCredentials.canonicalHost("http://Registry.Example:5000/v2/") == "registry.example:5000")
    #expect(RegistryCredentials.canonicalHost(" ghcr.io ") == "ghcr.io")
    #expect(RegistryCredentials.canonicalHost("registry.hub.docker.com") == "docker.io")
  }

  @Test(arguments: [
    "not json", "[]", #"{"auths": {"r.example": "x"}}"#, #"{"auths": {"r.example": {"auth": "%%%"}}}"#,
    #"{"auths": {"r.example": {"auth": "bm9jb2xvbg=="}}}"#,
  ])
  func malformedConfigsAreRefused(text: String) {
    #expect(throws: RegistryError.self) { _ = try RegistryCredentials.parseDockerConfigJSON(Array(text.utf8)) }
  }

  @Test func errorsAndDescriptionsNeverShowSecrets() {
    let text = #"{"auths": {"r.example": {"auth": "c2VjcmV0LXZhbHVl"}}}"#  // "secret-value", no colon
    do {
      _ = try RegistryCredentials.parseDockerConfigJSON(Array(text.utf8))
      Issue.record("expected an error")
    } catch {
      #expect(!error.message.contains("secret-value"))
      #expect(!error.message.contains("c2VjcmV0LXZhbHVl"))
      #expect(error.label == "invalid_credentials")
    }
    #expect(RegistryCredential.basic(username: "u", password: "hunter2").description == "basic(u)")
    #expect(!"\(RegistryCredential.identityToken("tok-123"))".contains("tok-123"))
  }

  @Test func mergingPrefersTheOtherSide() {
    let a = RegistryCredentials(["r.example": .basic(username: "a", password: "1"), "s.example": .registryToken("t")])
    let b = RegistryCredentials(["https://r.example/": .basic(username: "b", password: "2")])
    let m = a.merging(b)
    #expect(m.credential(forHost: "r.example") == .basic(username: "b", password: "2"))
    #expect(m.credential(forHost: "s.example") == .registryToken("t"))
  }
}
