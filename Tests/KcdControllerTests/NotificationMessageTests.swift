@testable import KcdController
import KcdCore
import KcdHooks
import KcdJSON
import KcdTestSupport
import Testing

/// What each receiver kind is sent: the Slack message, the signed generic webhook, and the
/// CDEvent with its CloudEvents headers (type mapping, artifact purl, the v0.5.1 schemas).
@Suite struct NotificationMessageTests {
  static let digest = "sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427"
  static let previous = "sha256:" + String(repeating: "a", count: 64)

  static func outcome(_ result: RolloutResult = .success, previousVersion: String? = "1.4.1", trigger: String = "ci:msg_1") -> RolloutOutcome {
    var o = RolloutOutcome(namespace: "shop", name: "web", result: result, version: "1.4.2", digest: digest,
                           image: "registry.example:5000/shop/web:1.4.2@\(digest)", reason: result == .success ? "RolloutSucceeded" : "ProgressDeadlineExceeded",
                           message: result == .success ? "available" : "deployment web exceeded its progress deadline <10 s> & more",
                           workloads: ["Deployment/web", "Deployment/worker"], trigger: trigger, startedAt: 1_800_000_000, finishedAt: 1_800_000_042)
    o.previousVersion = previousVersion
    o.previousDigest = previousVersion.map { _ in previous }
    o.previousImage = previousVersion.map { "registry.example:5000/shop/web:\($0)@\(previous)" }
    return o
  }

  @Test("Slack: text and a coloured attachment with the result, version, short digest, workloads, approver, reason and the dashboard link")
  func slack() throws {
    var o = Self.outcome()
    o.approvedBy = "alice@example.com"
    let ok = SlackMessage.body(o, dashboard: "https://kcd.example/?namespace=shop")
    #expect(ok["text"] == ":white_check_mark: shop/web rolled out `1.4.2`")
    let attachment = ok["attachments"][0]
    #expect(attachment["color"] == "#2eb67d")
    let text = attachment.text
    for part in ["*shop/web* rolled out `1.4.2`", "`sha256:0b31b1c02ff4`", "Deployment/web, Deployment/worker", "*Approved by*\\nalice@example.com",
                 "<https://kcd.example/?namespace=shop|Open the dashboard>", "trigger `ci:msg_1` · 42 s"] {
      #expect(text.contains(part), "\(part) in \(text)")
    }
    #expect(!text.contains(Self.digest), "the digest is shortened")

    let back = SlackMessage.body(Self.outcome(.rolledBack), dashboard: nil)
    #expect(back["text"] == ":leftwards_arrow_with_hook: shop/web: `1.4.2` failed and was rolled back to `1.4.1`")
    #expect(back["attachments"][0]["color"] == "#ecb22e")
    #expect(back.text.contains("*ProgressDeadlineExceeded*: deployment web exceeded its progress deadline &lt;10 s&gt; &amp; more"), "\(back.text)")
    #expect(!back.text.contains("Open the dashboard"))

    let failed = SlackMessage.body(Self.outcome(.failed, previousVersion: nil), dashboard: nil)
    #expect(failed["text"] == ":x: shop/web: `1.4.2` failed (ProgressDeadlineExceeded)")
    #expect(failed["attachments"][0]["color"] == "#e01e5a")
  }

  @Test("the dashboard link gets the namespace, whatever the configured URL looks like")
  func dashboardLink() {
    #expect(NotificationSettings(dashboardURL: "https://kcd.example/").dashboardLink(namespace: "shop") == "https://kcd.example/?namespace=shop")
    #expect(NotificationSettings(dashboardURL: "https://kcd.example/?cluster=a").dashboardLink(namespace: "shop") == "https://kcd.example/?cluster=a&namespace=shop")
    #expect(NotificationSettings().dashboardLink(namespace: "shop") == nil)
  }

  @Test("generic webhook: the outcome as JSON, signed with Standard Webhooks; the id is the same on every attempt")
  func webhook() throws {
    let dir = TestEnvironment.makeTemporaryDirectory()
    let secret = "whsec_" + Base64.encode(Array("notification-key-for-tests-0123456789".utf8))
    TestEnvironment.write(secret + "\n", to: dir + "/key")
    var r = NotificationReceiver(name: "audit", kind: .webhook)
    r.url = "https://audit.example/hooks/kcd?token=s3cr3t"
    r.keyFile = dir + "/key"
    var o = Self.outcome(.rolledBack)
    o.approvedBy = "alice@example.com"
    let first = try r.request(o, dashboard: "https://kcd.example/?namespace=shop", now: 1_800_000_100).get()
    let again = try r.request(o, dashboard: "https://kcd.example/?namespace=shop", now: 1_800_000_200).get()
    #expect(first.headers["webhook-id"] == again.headers["webhook-id"] && first.headers["webhook-id"]?.hasPrefix("kcdn_") == true)
    #expect(first.headers["webhook-timestamp"] == "1800000100" && first.headers["Content-Type"] == "application/json")
    let body = try JSON.parse(first.body ?? [])
    #expect(body["type"] == "kcd.rollout.v1" && body["id"].stringValue == first.headers["webhook-id"])
    #expect(body["kcd"] == ["namespace": "shop", "name": "web"] && body["result"] == "RolledBack" && body["reason"] == "ProgressDeadlineExceeded")
    #expect(body["version"] == "1.4.2" && body["digest"].stringValue == Self.digest && body["repository"] == "registry.example:5000/shop/web")
    #expect(body["workloads"] == ["Deployment/web", "Deployment/worker"] && body["approvedBy"] == "alice@example.com")
    #expect(body["previousVersion"] == "1.4.1" && body["finishedAt"] == "2027-01-15T08:00:42Z" && body["dashboardURL"] == "https://kcd.example/?namespace=shop")
    let key = try StandardWebhooks.Key(secret: secret)
    try StandardWebhooks.verify(keys: [key], id: first.headers["webhook-id"], timestamp: first.headers["webhook-timestamp"],
                                signatures: first.headers["webhook-signature"], body: first.body ?? [], now: 1_800_000_100)
    // Another outcome of the same KCD gets another id.
    #expect(try r.request(Self.outcome(.success), dashboard: nil, now: 1).get().headers["webhook-id"] != first.headers["webhook-id"])

    r.keyFile = dir + "/missing"
    guard case .failure(let e) = r.request(o, dashboard: nil, now: 1) else { Issue.record("a missing key must not send"); return }
    #expect(e.message.contains("cannot use keyFile") && !e.message.contains("s3cr3t"))
  }

  /// (result, previous success, trigger) → type.
  static let types: [(RolloutResult, String?, String, CDEvent.EventType)] = [
    (.success, nil, "ci:m1", .deployed), (.success, "1.4.1", "ci:m1", .upgraded), (.success, "1.4.1", "rollback:r1", .rolledBack),
    (.rolledBack, "1.4.1", "ci:m1", .rolledBack), (.failed, "1.4.1", "ci:m1", .incident), (.failed, nil, "ci:m1", .incident),
  ]

  @Test("CDEvents: the type for each outcome, the v0.5.1 context and subject, and the binary-mode headers", arguments: types)
  func cdevent(_ result: RolloutResult, _ before: String?, _ trigger: String, _ type: CDEvent.EventType) throws {
    let o = Self.outcome(result, previousVersion: before, trigger: trigger)
    let event = CDEvent.body(o, source: nil, environment: nil, dashboard: nil)
    #expect(event["context"]["type"].stringValue == type.rawValue)
    #expect(event["context"]["specversion"] == "0.5.1" && event["context"]["source"] == "/kcd/shop/web")
    #expect(event["context"]["timestamp"] == "2027-01-15T08:00:42Z")
    let id = try #require(event["context"]["id"].stringValue)
    #expect(id.count == 36 && Array(id)[14] == "4", "a UUID v4 layout: \(id)")
    #expect(CDEvent.body(o, source: nil, environment: nil, dashboard: nil)["context"]["id"].stringValue == id, "the same on a retry")
    #expect(event["subject"]["content"]["environment"] == ["id": "shop"])
    let candidate = "pkg:oci/web@sha256%3A0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427?repository_url=registry.example:5000/shop/web&tag=1.4.2"
    let restored = "pkg:oci/web@sha256%3A\(String(repeating: "a", count: 64))?repository_url=registry.example:5000/shop/web&tag=1.4.1"
    switch type {
    case .incident:
      #expect(event["subject"]["id"].stringValue?.hasPrefix("shop/web/") == true)
      #expect(event["subject"]["content"]["service"] == ["id": "shop/web"] && event["subject"]["content"]["artifactId"].stringValue == candidate)
      #expect(event["subject"]["content"]["description"].stringValue?.hasPrefix("ProgressDeadlineExceeded: deployment web") == true)
    case .rolledBack where result == .rolledBack:
      #expect(event["subject"]["content"]["artifactId"].stringValue == restored, "what runs again")
      #expect(event["customData"]["failedArtifactId"].stringValue == candidate)
    default:
      #expect(event["subject"]["id"] == "shop/web" && event["subject"]["content"]["artifactId"].stringValue == candidate)
      #expect(event["customData"]["previousArtifactId"].stringValue == (before == nil ? nil : restored))
    }
    #expect(event["customDataContentType"] == "application/json" && event["customData"]["kcd"] == ["namespace": "shop", "name": "web"])

    var r = NotificationReceiver(name: "events", kind: .cdevents)
    r.url = "http://sink.example/events"
    let request = try r.request(o, dashboard: nil, now: 0).get()
    #expect(request.headers["ce-specversion"] == "1.0" && request.headers["ce-type"] == type.rawValue && request.headers["ce-id"] == id)
    #expect(request.headers["ce-source"] == "/kcd/shop/web" && request.headers["ce-subject"] == event["subject"]["id"].stringValue)
    #expect(request.headers["ce-time"] == "2027-01-15T08:00:42Z" && request.headers["Content-Type"] == "application/json")
    #expect(!request.headers.contains("ce-datacontenttype"))
    #expect(try JSON.parse(request.body ?? []) == event, "the body is the whole CDEvent")

    let problems = SchemaSubset.problems(event, schema: try Self.schema(type))
    #expect(problems.isEmpty, "\(problems)")
  }

  @Test("a configured source and environment; header values percent-encoded as CloudEvents requires")
  func configuredSource() throws {
    let event = CDEvent.body(Self.outcome(), source: "https://kcd.example/clusters/prod-1", environment: "prod", dashboard: "https://kcd.example/?namespace=shop")
    #expect(event["context"]["source"] == "https://kcd.example/clusters/prod-1" && event["subject"]["content"]["environment"] == ["id": "prod"])
    #expect(event["customData"]["dashboardURL"] == "https://kcd.example/?namespace=shop")
    #expect(CDEvent.headerValue("a b\"c%d/é") == "a%20b%22c%25d/%C3%A9")
    #expect(CDEvent.artifact("Registry.Example/Shop/Web", digest: nil, tag: "1.0") == "pkg:oci/web?repository_url=registry.example/shop/web&tag=1.0")
    // A rollback to an image that was not pinned names its tag.
    var o = Self.outcome(.rolledBack, previousVersion: nil)
    o.previousImage = "registry.example:5000/shop/web:1.0"
    #expect(CDEvent.restored(o) == "pkg:oci/web?repository_url=registry.example:5000/shop/web&tag=1.0")
  }

  /// The event type's vendored schema (Fixtures/cdevents, cdevents/spec v0.5.1).
  static func schema(_ type: CDEvent.EventType) throws -> JSON {
    let file = ["dev.cdevents.service.deployed.0.3.0": "servicedeployed", "dev.cdevents.service.upgraded.0.3.0": "serviceupgraded",
                "dev.cdevents.service.rolledback.0.3.0": "servicerolledback", "dev.cdevents.incident.detected.0.3.0": "incidentdetected"][type.rawValue]!
    let text = try #require(TestEnvironment.read(TestEnvironment.packageRoot + "/Tests/KcdControllerTests/Fixtures/cdevents/\(file).json"))
    return try JSON.parse(Array(text.utf8))
  }

  @Test("the schema checker is not vacuous: v0.4's context.version, a missing artifactId and a wrong type are caught")
  func schemaCheckerCatches() throws {
    var event = CDEvent.body(Self.outcome(), source: nil, environment: nil, dashboard: nil)
    let schema = try Self.schema(.upgraded)
    event["context"]["version"] = "0.4.1"
    #expect(SchemaSubset.problems(event, schema: schema).contains { $0.contains("version") })
    event = CDEvent.body(Self.outcome(), source: nil, environment: nil, dashboard: nil)
    event["subject"]["content"].removeValue(forKey: "artifactId")
    #expect(SchemaSubset.problems(event, schema: schema).contains { $0.contains("artifactId") })
    #expect(!SchemaSubset.problems(CDEvent.body(Self.outcome(), source: nil, environment: nil, dashboard: nil), schema: try Self.schema(.deployed)).isEmpty)
  }
}

/// The part of JSON Schema the CDEvents schemas use for structure: `type`, `required`,
/// `properties`, `additionalProperties: false`, `enum`, `minLength`, `oneOf`. Formats and
/// `$ref` (links, which kcd does not send) are left to the Python suite's `jsonschema`.
enum SchemaSubset {
  static func problems(_ value: JSON, schema: JSON, at path: String = "$") -> [String] {
    var out: [String] = []
    if let options = schema["oneOf"].arrayValue {
      let matching = options.filter { problems(value, schema: $0, at: path).isEmpty }.count
      if matching != 1 { out.append("\(path): matches \(matching) of oneOf") }
    }
    if let type = schema["type"].stringValue, !matches(value, type) { return out + ["\(path): not \(type)"] }
    if let allowed = schema["enum"].arrayValue, !allowed.contains(value) { out.append("\(path): \(value.text) not in enum") }
    if let min = schema["minLength"].intValue, let s = value.stringValue, s.count < min { out.append("\(path): shorter than \(min)") }
    guard let object = value.objectValue else { return out }
    for key in schema["required"].arrayValue?.compactMap(\.stringValue) ?? [] where object[key] == nil { out.append("\(path): \(key) is required") }
    let properties = schema["properties"].objectValue ?? [:]
    for (key, v) in object {
      if let sub = properties[key] {
        if !sub["$ref"].isNull { out.append("\(path).\(key): $ref not checked here") } else { out += problems(v, schema: sub, at: "\(path).\(key)") }
      } else if schema["additionalProperties"] == false {
        out.append("\(path): \(key) is not allowed")
      }
    }
    return out
  }

  static func matches(_ v: JSON, _ type: String) -> Bool {
    switch type {
    case "object": return v.objectValue != nil
    case "string": return v.stringValue != nil
    case "array": return v.arrayValue != nil
    default: return true
    }
  }
}
