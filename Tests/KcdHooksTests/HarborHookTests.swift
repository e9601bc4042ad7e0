import KcdHooks
import KcdJSON
import Testing

/// `/hooks/harbor`: Harbor's Default and CloudEvents payloads (§5) with the verbatim Auth Header.
@Suite struct HarborHookTests {
  static let authHeader = "Bearer harbor-7a1c"
  let hook = HarborHook(secrets: [Self.authHeader, "harbor-7a1c"])
  static let auth = ["Authorization": authHeader]

  static func resources(tag: String = "latest", digest: String = HookTest.digestA, url: String = "hub.harbor.com/test-webhook/debian:latest") -> JSON {
    ["resources": [["digest": .string(digest), "tag": .string(tag), "resource_url": .string(url)]],
     "repository": ["date_created": 1_586_922_308, "name": "debian", "namespace": "test-webhook", "repo_full_name": "test-webhook/debian", "repo_type": "private"]]
  }

  static func defaultPayload(type: String = "PUSH_ARTIFACT", data: JSON = resources()) -> JSON {
    ["type": .string(type), "occur_at": 1_586_922_308, "operator": "admin", "event_data": data]
  }

  static func cloudEvent(type: String = "harbor.artifact.pushed", data: JSON = resources()) -> JSON {
    ["specversion": "1.0", "requestid": "2eedfab8", "id": "4b2f89a6-548d-4c12-9993-a1f5790b97d2", "source": "/projects/1/webhook/policies/3",
     "type": .string(type), "datacontenttype": "application/json", "time": "2023-03-06T06:08:43Z", "data": data, "operator": "admin"]
  }

  @Test("the Default payload's push")
  func defaultPush() {
    let events = HookTest.events(hook, HookTest.request(Self.defaultPayload(), headers: Self.auth))
    #expect(events == [ImageEvent(repository: "hub.harbor.com/test-webhook/debian", tag: "latest", digest: HookTest.digestA, action: .push,
                                  source: "harbor", deliveryID: "harbor:1586922308:\(HookTest.digestA)", receivedAt: 1_700_000_000)])
  }

  @Test("the CloudEvents push, with its id as the delivery id")
  func cloudEventPush() {
    let headers = Self.auth.merging(["Content-Type": "application/cloudevents+json"]) { a, _ in a }
    let events = HookTest.events(hook, HookTest.request(Self.cloudEvent(), headers: headers))
    #expect(events.map(\.deliveryID) == ["4b2f89a6-548d-4c12-9993-a1f5790b97d2"])
    #expect(events.map(\.repository) == ["hub.harbor.com/test-webhook/debian"])
  }

  @Test("wrong Auth Header: 401", arguments: [["Authorization": "Bearer harbor-7a1d"], ["Authorization": "Secret harbor"], [:]])
  func wrongSecret(headers: [String: String]) {
    #expect(HookTest.status(hook, HookTest.request(Self.defaultPayload(), headers: headers)) == 401)
  }

  @Test("deletes and pulls are not pushes", arguments: [
    (defaultPayload(type: "DELETE_ARTIFACT"), ImageEvent.Action.delete), (cloudEvent(type: "harbor.artifact.deleted"), .delete),
    (cloudEvent(type: "harbor.artifact.pulled"), .pull), (defaultPayload(type: "pullImage"), .pull),
  ])
  func deleteAndPull(payload: JSON, action: ImageEvent.Action) {
    #expect(HookTest.events(hook, HookTest.request(payload, headers: Self.auth)).map(\.action) == [action])
  }

  @Test("scans, quotas and by-digest pushes ask for nothing: 200", arguments: [
    defaultPayload(type: "SCANNING_COMPLETED"), cloudEvent(type: "harbor.quota.exceeded"),
    defaultPayload(data: resources(tag: HookTest.digestA)),
  ])
  func ignored(payload: JSON) {
    #expect(HookTest.status(hook, HookTest.request(payload, headers: Self.auth)) == 200)
  }

  @Test("the host comes from resource_url or the override")
  func hosts() {
    let override = HarborHook(secrets: [Self.authHeader], registryHost: "harbor.internal")
    #expect(HookTest.events(override, HookTest.request(Self.defaultPayload(), headers: Self.auth)).first?.repository == "harbor.internal/test-webhook/debian")
    #expect(HookTest.status(hook, HookTest.request(Self.defaultPayload(data: Self.resources(url: "test-webhook/debian:latest")), headers: Self.auth)) == 400)
  }

  @Test("malformed bodies: 400", arguments: [
    Array("<xml/>".utf8), Array(#"{"event_data":{}}"#.utf8), defaultPayload(data: [:]).serialized(),
    defaultPayload(data: resources(digest: "sha256:zz")).serialized(),
    { var c = cloudEvent(); c["id"] = nil; return c.serialized() }(),
  ])
  func malformed(body: [UInt8]) {
    #expect(HookTest.status(hook, HookTest.request(body, headers: Self.auth)) == 400)
    #expect(HookTest.status(hook, HookTest.request(body, headers: [:])) == 401)
  }
}
