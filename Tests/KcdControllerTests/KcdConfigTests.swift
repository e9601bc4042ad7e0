import KcdJSON
import KcdYAML
import KcdServer
import KcdTestSupport
import Testing

/// The `--config` file: what it accepts, what it refuses with a clear message, and aliases.
@Suite struct KcdConfigTests {
  @Test("a full configuration parses")
  func parses() throws {
    let dir = TestEnvironment.makeTemporaryDirectory()
    TestEnvironment.write("""
      registries:
        - host: Registry.Internal:5000
          insecure: true
          username: ci
          passwordFile: /etc/kcd/registry/password
        - host: ghcr.io
          dockerConfig: /etc/kcd/ghcr.json
      aliases:
        - {from: registry.internal:5000, to: registry.example.com}
      trustSignedDigests: false
      """, to: dir + "/kcd.yaml")
    let c = try KcdConfig.load(dir + "/kcd.yaml")
    #expect(c.registries.count == 2)
    #expect(c.registries[0].host == "registry.internal:5000" && c.registries[0].insecure && c.registries[0].username == "ci")
    #expect(c.registries[1].dockerConfig == "/etc/kcd/ghcr.json")
    #expect(!c.trustSignedDigests)
    #expect(c.dealias("registry.internal:5000/team/app") == "registry.example.com/team/app")
    #expect(c.dealias("ghcr.io/team/app") == "ghcr.io/team/app")
  }

  @Test("mistakes are refused with the file and the setting", arguments: [
    ("{registries: [{insecure: true}]}", "registries[0].host is required"),
    ("{registries: [{host: a, password: hunter2}]}", "put the password in a file"),
    ("{registries: [{host: a, username: u}]}", "username and passwordFile go together"),
    ("{registries: [{host: a, tls: false}]}", "unknown setting \"tls\""),
    ("{aliases: [{from: a}]}", "aliases[0] needs from and to"),
    ("{trustSignedDigests: maybe}", "trustSignedDigests must be true or false"),
    ("{registry: []}", "unknown setting \"registry\""),
    ("[1, 2]", "must be a mapping"),
  ])
  func refuses(text: String, message: String) throws {
    do {
      _ = try KcdConfig.parse(try YAML.parse(text), source: "kcd.yaml")
      Issue.record("expected an error for \(text)")
    } catch let error as UsageError {
      #expect(error.message.hasPrefix("kcd.yaml: ") && error.message.contains(message), "\(error.message)")
      #expect(!error.message.contains("hunter2"))
    }
  }
}
