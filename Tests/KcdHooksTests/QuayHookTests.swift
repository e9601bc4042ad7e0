import KcdCore
import KcdCrypto
import KcdHooks
import KcdJSON
import Testing

/// `/hooks/quay/<token>`: the Repository Push payload of Quay's docs (§6), both shapes of
/// `updated_tags`, and the path token.
@Suite struct QuayHookTests {
  static let token = "quay-9c2b7e1f00aa"
  let hook = QuayHook(secrets: [Self.token])

  static func payload(tags: JSON = ["latest"]) -> JSON {
    ["name": "repository", "repository": "dgangaia/test", "namespace": "dgangaia", "docker_url": "quay.io/dgangaia/test",
     "homepage": "https://quay.io/repository/dgangaia/repository", "updated_tags": tags]
  }

  @Test("one push event per updated tag, without digests")
  func push() {
    let body = Self.payload(tags: ["latest", "v1.2"]).serialized()
    let events = HookTest.events(hook, HookTest.request(body, path: [Self.token]))
    let id = "sha256:" + Digest.hex(Digest.sha256(body))
    #expect(events == [
      ImageEvent(repository: "quay.io/dgangaia/test", tag: "latest", digest: nil, action: .push, source: "quay", deliveryID: id + "#latest", receivedAt: 1_700_000_000),
      ImageEvent(repository: "quay.io/dgangaia/test", tag: "v1.2", digest: nil, action: .push, source: "quay", deliveryID: id + "#v1.2", receivedAt: 1_700_000_000),
    ])
  }

  @Test("the old object shape of updated_tags")
  func objectShape() {
    let events = HookTest.events(hook, HookTest.request(Self.payload(tags: ["v2": "b0a3", "v1": "c9d1"]), path: [Self.token]))
    #expect(events.map { $0.tag ?? "" } == ["v1", "v2"])
  }

  @Test("wrong or missing token: 401", arguments: [["quay-9c2b7e1f00ab"], [], ["quay-9c2b7e1f00aa", "extra"]])
  func wrongToken(path: [String]) {
    #expect(HookTest.status(hook, HookTest.request(Self.payload(), path: path)) == 401)
  }

  @Test("Quay sends no deletes: no updated tags records nothing (200)", arguments: [JSON.array([]), JSON.null, JSON.object([:])])
  func noTags(tags: JSON) {
    #expect(HookTest.status(hook, HookTest.request(Self.payload(tags: tags), path: [Self.token])) == 200)
  }

  @Test("malformed bodies: 400", arguments: [
    Array("[".utf8), payload(tags: "latest").serialized(), payload(tags: [1]).serialized(), payload(tags: ["no spaces"]).serialized(),
    Array(#"{"updated_tags":["latest"]}"#.utf8),
  ])
  func malformed(body: [UInt8]) {
    #expect(HookTest.status(hook, HookTest.request(body, path: [Self.token])) == 400)
    #expect(HookTest.status(hook, HookTest.request(body, path: ["x"])) == 401)
  }
}
