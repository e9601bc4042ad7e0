import KcdCore
import KcdCrypto
import KcdHooks
import KcdJSON
import Testing

/// `/hooks/dockerhub/<token>`: the payload of Docker's webhook docs (§3), the path token, and
/// the delivery id derived from the body.
@Suite struct DockerHubHookTests {
  static let token = "f3b1c2d4e5a60718293a4b5c6d7e8f90"
  let hook = DockerHubHook(secrets: ["0ld-t0ken", Self.token])

  static func payload(repo: String = "svendowideit/testhook", tag: JSON = "latest") -> JSON {
    [
      "callback_url": "https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/",
      "push_data": ["pushed_at": 1_417_566_161, "pusher": "trustedbuilder", "tag": tag],
      "repository": ["comment_count": 0, "date_created": 1_417_494_799, "description": "", "dockerfile": "#\n# BUILD\t\tdocker build -t svendowideit/apt-cacher .\n",
                     "is_official": false, "is_private": true, "is_trusted": true, "name": "testhook", "namespace": "svendowideit",
                     "owner": "svendowideit", "repo_name": .string(repo), "repo_url": "https://registry.hub.docker.com/u/svendowideit/testhook/",
                     "star_count": 0, "status": "Active"],
    ]
  }

  @Test("the documented push becomes a push without a digest, id = sha256 of the body")
  func push() {
    let body = Self.payload().serialized()
    let events = HookTest.events(hook, HookTest.request(body, path: [Self.token]))
    #expect(events == [ImageEvent(repository: "docker.io/svendowideit/testhook", tag: "latest", digest: nil, action: .push, source: "dockerhub",
                                  deliveryID: "sha256:" + Digest.hex(Digest.sha256(body)), receivedAt: 1_700_000_000)])
    // The same body again is the same delivery.
    #expect(HookTest.events(hook, HookTest.request(body, path: ["0ld-t0ken"])).first?.deliveryID == events.first?.deliveryID)
  }

  @Test("official images and dotted namespaces stay on docker.io", arguments: [
    ("library/nginx", "docker.io/library/nginx"), ("nginx", "docker.io/library/nginx"), ("my.org/app", "docker.io/my.org/app"),
  ])
  func names(repo: String, expected: String) {
    #expect(HookTest.events(hook, HookTest.request(Self.payload(repo: repo), path: [Self.token])).first?.repository == expected)
  }

  @Test("wrong, missing or extra path tokens: 401", arguments: [
    ["f3b1c2d4e5a60718293a4b5c6d7e8f91"], ["f3b1c2d4e5a60718293a4b5c6d7e8f9"], [], [""], [token, "x"], ["F3B1C2D4E5A60718293A4B5C6D7E8F90"],
  ])
  func wrongToken(path: [String]) {
    #expect(HookTest.status(hook, HookTest.request(Self.payload(), path: path)) == 401)
  }

  @Test("Docker Hub sends no deletes: a body without a tag records nothing (200)", arguments: [JSON.string(""), JSON.null])
  func noTag(tag: JSON) {
    #expect(HookTest.status(hook, HookTest.request(Self.payload(tag: tag), path: [Self.token])) == 200)
  }

  @Test("malformed bodies: 400 with the token, 401 without", arguments: [
    Array("nope".utf8), Array(#"{"push_data":{"tag":"x"}}"#.utf8), Array(#"{"repository":{"repo_name":"a/b"}}"#.utf8),
    payload(tag: "bad tag!").serialized(), payload(repo: "Bad Repo").serialized(),
  ])
  func malformed(body: [UInt8]) {
    #expect(HookTest.status(hook, HookTest.request(body, path: [Self.token])) == 400)
    #expect(HookTest.status(hook, HookTest.request(body, path: ["wrong"])) == 401)
  }

  @Test("no configured token is a misconfiguration, not an open door")
  func unconfigured() {
    #expect(HookTest.status(DockerHubHook(secrets: [" "]), HookTest.request(Self.payload(), path: [""])) == 500)
  }
}
