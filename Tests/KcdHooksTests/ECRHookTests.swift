import KcdCore
import KcdHooks
import KcdJSON
import Testing

/// `/hooks/ecr` through an EventBridge API destination: header credentials, the "ECR Image
/// Action" event of the ECR user guide, and what is ignored.
@Suite struct ECRHookTests {
  static let secret = "eb-api-key-0123456789abcdef"
  let hook = ECRHook(secrets: ["old-key-retired-soon", Self.secret], fetch: { _ in throw FixtureError(description: "no network in tests") })

  static func event(action: String = "PUSH", result: String = "SUCCESS", tag: String = "latest", digest: String = HookTest.digestA,
                    region: String = "us-west-2") -> JSON {
    [
      "version": "0", "id": "13cde686-328b-6117-af20-0e5566167482", "detail-type": "ECR Image Action", "source": "aws.ecr",
      "account": "123456789012", "time": "2019-11-16T01:54:34Z", "region": .string(region), "resources": [],
      "detail": ["result": .string(result), "repository-name": "team-a/my-repository-name", "image-digest": .string(digest),
                 "action-type": .string(action), "image-tag": .string(tag)],
    ]
  }

  @Test("a successful push becomes one push event with the ECR registry host")
  func push() {
    let events = HookTest.events(hook, HookTest.request(Self.event(), headers: ["Authorization": "Bearer \(Self.secret)"]))
    #expect(events == [ImageEvent(repository: "123456789012.dkr.ecr.us-west-2.amazonaws.com/team-a/my-repository-name", tag: "latest",
                                  digest: HookTest.digestA, action: .push, source: "ecr",
                                  deliveryID: "13cde686-328b-6117-af20-0e5566167482", receivedAt: 1_700_000_000)])
  }

  @Test("China regions use amazonaws.com.cn")
  func china() {
    let events = HookTest.events(hook, HookTest.request(Self.event(region: "cn-north-1"), headers: ["x-api-key": Self.secret]))
    #expect(events.first?.repository == "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team-a/my-repository-name")
  }

  @Test("credential forms and their statuses", arguments: [
    (["Authorization": "Bearer eb-api-key-0123456789abcdef"], 202),
    (["Authorization": "bearer eb-api-key-0123456789abcdef"], 202),
    (["Authorization": "eb-api-key-0123456789abcdef"], 202),
    (["x-api-key": "eb-api-key-0123456789abcdef"], 202),
    (["Authorization": "Basic " + Base64.encode(Array("eventbridge:eb-api-key-0123456789abcdef".utf8))], 202),
    (["Authorization": "Bearer old-key-retired-soon"], 202),
    (["Authorization": "Bearer eb-api-key-0123456789abcdeF"], 401),
    (["Authorization": "Bearer eb-api-key-0123456789abcde"], 401),
    (["Authorization": "Basic " + Base64.encode(Array("eb-api-key-0123456789abcdef:wrong".utf8))], 401),
    (["x-api-key": "nope"], 401),
    ([:], 401),
  ])
  func credentials(headers: [String: String], status: Int) {
    #expect(HookTest.status(hook, HookTest.request(Self.event(), headers: headers)) == status)
  }

  @Test("without any configured secret EventBridge deliveries are refused as a misconfiguration")
  func noSecret() {
    let bare = ECRHook(secrets: ["", "  "], fetch: { _ in [] })
    #expect(HookTest.status(bare, HookTest.request(Self.event(), headers: ["Authorization": "Bearer "])) == 500)
  }

  @Test("a delete becomes a delete event, not a push")
  func delete() {
    let events = HookTest.events(hook, HookTest.request(Self.event(action: "DELETE"), headers: ["x-api-key": Self.secret]))
    #expect(events.count == 1)
    #expect(events.allSatisfy { $0.action == .delete })
    #expect(events.first?.tag == "latest")
  }

  @Test("authentic events that ask for nothing are answered 200", arguments: [
    ECRHookTests.event(result: "FAILED"), ECRHookTests.event(action: "UPDATE_STORAGE_CLASS"), ECRHookTests.event(tag: ""),
    ["id": "x", "source": "aws.ecr", "detail-type": "ECR Image Scan", "detail": [:]],
  ] as [JSON])
  func ignored(event: JSON) {
    #expect(HookTest.status(hook, HookTest.request(event, headers: ["x-api-key": Self.secret])) == 200)
  }

  @Test("malformed bodies are 400 once authentic, 401 before", arguments: [
    Array("not json".utf8), Array("[]".utf8), ECRHookTests.event(digest: "sha256:short").serialized(), ECRHookTests.event(tag: "-bad").serialized(),
    { var e = ECRHookTests.event(); e["account"] = "12345"; return e.serialized() }(),
    { var e = ECRHookTests.event(); e["id"] = nil; return e.serialized() }(),
    { var e = ECRHookTests.event(); e["detail"] = "x"; return e.serialized() }(),
  ])
  func malformed(body: [UInt8]) {
    #expect(HookTest.status(hook, HookTest.request(body, headers: ["x-api-key": Self.secret])) == 400)
    #expect(HookTest.status(hook, HookTest.request(body, headers: ["x-api-key": "wrong"])) == 401)
  }

  @Test("raw SNS delivery carries no signature and is refused")
  func rawDelivery() {
    let request = HookTest.request(Self.event(), headers: ["x-api-key": Self.secret, "x-amz-sns-rawdelivery": "true"])
    #expect(HookTest.status(hook, request) == 401)
  }
}
