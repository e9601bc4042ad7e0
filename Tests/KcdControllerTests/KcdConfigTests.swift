import KcdController
import KcdJSON
import KcdYAML
import KcdServer
import KcdTestSupport
import Testing

/// The `--config` file: what it accepts, what it refuses with a clear message, aliases, and
/// notification receivers (a Slack URL only from a file).
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

  @Test("notification receivers of each kind, with their defaults and settings")
  func notifications() throws {
    let c = try KcdConfig.parse(try YAML.parse("""
      dashboardURL: https://kcd.example/
      notifications:
        - {name: deploys, kind: slack, urlFile: /etc/kcd/slack/url, events: [failed, rolledBack]}
        - {name: audit, kind: webhook, url: "https://audit.example/kcd", keyFile: /etc/kcd/audit/key, scope: named, attempts: 3, timeoutSeconds: 2}
        - {name: events, kind: cdevents, url: "http://sink.example/", source: /kcd/prod-1, environment: prod, retryBaseSeconds: 0.5}
      """), source: "kcd.yaml")
    let n = c.notifications
    #expect(n.dashboardURL == "https://kcd.example/" && n.receivers.map(\.name) == ["deploys", "audit", "events"])
    let (slack, audit, events) = (n.receivers[0], n.receivers[1], n.receivers[2])
    #expect(slack.kind == .slack && slack.urlFile == "/etc/kcd/slack/url" && slack.url == nil && slack.events == [.failed, .rolledBack])
    #expect(slack.scope == .all && slack.attempts == 5 && slack.timeoutSeconds == 5 && slack.retryBaseSeconds == 8)
    #expect(audit.kind == .webhook && audit.keyFile == "/etc/kcd/audit/key" && audit.scope == .named && audit.attempts == 3 && audit.timeoutSeconds == 2)
    #expect(audit.events == [.success, .failed, .rolledBack])
    #expect(events.kind == .cdevents && events.source == "/kcd/prod-1" && events.environment == "prod" && events.retryBaseSeconds == 0.5)
    #expect(try KcdConfig.parse(try YAML.parse("{}"), source: "kcd.yaml").notifications == NotificationSettings())
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
    ("{notifications: [{name: s, kind: slack, url: \"https://hooks.slack.com/services/T/B/hunter2\"}]}", "(s): a Slack webhook URL is a secret: put it in a file"),
    ("{notifications: [{name: w, kind: webhook, url: \"https://a.example/\"}]}", "(w): a webhook receiver signs its messages"),
    ("{notifications: [{name: c, kind: cdevents}]}", "(c): give url or urlFile"),
    ("{notifications: [{name: c, kind: cdevents, url: a, urlFile: b}]}", "(c): give url or urlFile"),
    ("{notifications: [{name: c, kind: cdevents, url: \"ftp://a\"}]}", "url must be an http(s) URL"),
    ("{notifications: [{name: c, kind: teams, url: \"https://a\"}]}", "kind must be one of slack, webhook, cdevents"),
    ("{notifications: [{name: Bad Name, kind: cdevents, url: \"https://a\"}]}", "name is required"),
    ("{notifications: [{name: c, kind: cdevents, url: \"https://a\", events: [success, deployed]}]}", "events: \"deployed\" is not one of failed, rolledBack, success"),
    ("{notifications: [{name: c, kind: cdevents, url: \"https://a\", scope: some}]}", "scope must be all or named"),
    ("{notifications: [{name: c, kind: cdevents, url: \"https://a\", channel: x}]}", "unknown setting \"channel\""),
    ("{notifications: [{name: s, kind: slack, urlFile: f, source: /x}]}", "source is only for kind cdevents"),
    ("{notifications: [{name: c, kind: cdevents, url: \"https://a\", attempts: 0}]}", "attempts must be a number from 1.0 to 20.0"),
    ("{notifications: [{name: c, kind: cdevents, url: \"https://a\"}, {name: c, kind: cdevents, url: \"https://b\"}]}", "the name c is taken"),
    ("{notifications: {name: c}}", "notifications must be a list"),
    ("{dashboardURL: kcd.example}", "dashboardURL must be an http(s) URL"),
  ])
  func refuses(text: String, message: String) throws {
    try Self.expectRefusal(text, message)
  }

  /// Parsing `text` fails with a message that names the file and contains `message` (and no
  /// secret given in the text).
  static func expectRefusal(_ text: String, _ message: String) throws {
    do {
      _ = try KcdConfig.parse(try YAML.parse(text), source: "kcd.yaml")
      Issue.record("expected an error for \(text)")
    } catch let error as UsageError {
      #expect(error.message.hasPrefix("kcd.yaml: ") && error.message.contains(message), "\(error.message)")
      #expect(!error.message.contains("hunter2"))
    }
  }
}
