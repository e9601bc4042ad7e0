import KcdHooks
import KcdJSON
import Testing

/// `/hooks/distribution`: the Distribution envelope of §4.2 (v1 and v2 media types), GitLab's
/// registry (same format) and Azure ACR's bare event (§7).
@Suite struct DistributionHookTests {
  static let secret = "distribution-token-4d1f"
  let hook = DistributionHook(secrets: [Self.secret])
  static let auth = ["Authorization": "Bearer \(secret)"]

  static func event(action: String = "push", mediaType: String? = "application/vnd.docker.distribution.manifest.v2+json", tag: String? = "0.01",
                    digest: String = HookTest.digestA, id: String = "d83e8796-7ba5-46ad-b239-d88473e21b2b") -> JSON {
    var target: JSON = ["size": 2206, "digest": .string(digest), "length": 2206, "repository": "shinebayar-g/a",
                        "url": .string("https://registry.git.erxes.io/v2/shinebayar-g/a/manifests/\(digest)")]
    if let mediaType { target["mediaType"] = .string(mediaType) }
    if let tag { target["tag"] = .string(tag) }
    return ["id": .string(id), "timestamp": "2018-10-11T13:53:21.859222576Z", "action": .string(action), "target": target,
            "request": ["id": "18690582", "addr": "46.101.177.27", "host": "registry.git.erxes.io", "method": "PUT", "useragent": "docker/18.06.1-ce"],
            "actor": ["name": "shinebayar-g"], "source": ["addr": "git.erxes.io:5000", "instanceID": "bde27723"]]
  }

  static func envelope(_ events: JSON...) -> JSON { ["events": .array(events)] }

  @Test("the reference push becomes a push event under request.host, for each content type", arguments: [
    "application/vnd.docker.distribution.events.v1+json", "application/vnd.docker.distribution.events.v2+json; charset=utf-8", "application/json",
  ])
  func push(contentType: String) {
    let headers = Self.auth.merging(["Content-Type": contentType]) { a, _ in a }
    let events = HookTest.events(hook, HookTest.request(Self.envelope(Self.event()), headers: headers))
    #expect(events == [ImageEvent(repository: "registry.git.erxes.io/shinebayar-g/a", tag: "0.01", digest: HookTest.digestA, action: .push,
                                  source: "distribution", deliveryID: "d83e8796-7ba5-46ad-b239-d88473e21b2b", receivedAt: 1_700_000_000)])
  }

  @Test("Azure ACR's bare event", arguments: [true, false])
  func acr(withMediaType: Bool) {
    let body: JSON = [
      "id": "cb8c3971-9adc-488b-0000-43cbb4974ff5", "timestamp": "2023-11-17T16:52:01.343145347Z", "action": "push",
      "target": withMediaType
        ? ["mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 524, "digest": .string(HookTest.digestB), "repository": "hello-world", "tag": "v1"]
        : ["digest": .string(HookTest.digestB), "repository": "hello-world", "tag": "v1"],
      "request": ["id": "3cbb6949", "host": "myregistry.azurecr.io", "method": "PUT"],
    ]
    let events = HookTest.events(hook, HookTest.request(body, headers: Self.auth))
    #expect(events.map(\.repository) == ["myregistry.azurecr.io/hello-world"])
    #expect(events.first?.deliveryID == "cb8c3971-9adc-488b-0000-43cbb4974ff5")
  }

  @Test("wrong or missing credentials: 401", arguments: [
    ["Authorization": "Bearer distribution-token-4d1e"], ["Authorization": "distribution-token"], [:], ["X-Other": secret],
  ])
  func wrongSecret(headers: [String: String]) {
    #expect(HookTest.status(hook, HookTest.request(Self.envelope(Self.event()), headers: headers)) == 401)
  }

  @Test("deletes become delete events and pulls pull events: no pushes")
  func deleteAndPull() {
    let body = Self.envelope(Self.event(action: "delete", mediaType: nil, tag: nil, id: "e1"), Self.event(action: "pull", id: "e2"),
                             Self.event(action: "delete", mediaType: nil, digest: HookTest.digestB, id: "e3"))
    let events = HookTest.events(hook, HookTest.request(body, headers: Self.auth))
    #expect(events.map(\.action) == [.delete, .pull, .delete])
    #expect(events.map(\.deliveryID) == ["e1", "e2", "e3"])
    #expect(!events.contains { $0.action == .push })
  }

  @Test("blobs, tagless children, mounts and repository deletes are skipped: 200", arguments: [
    event(mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", tag: nil),
    event(mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip"),
    event(tag: nil),
    event(action: "mount"),
    { var e = event(action: "delete", mediaType: nil, tag: nil); e["target"] = ["repository": "shinebayar-g/a"]; return e }(),
  ])
  func skipped(event: JSON) {
    #expect(HookTest.status(hook, HookTest.request(Self.envelope(event), headers: Self.auth)) == 200)
  }

  @Test("a batch keeps the image events and drops the rest")
  func batch() {
    let body = Self.envelope(Self.event(mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", id: "b1"),
                             Self.event(mediaType: "application/vnd.oci.image.index.v1+json", tag: "v2", id: "b2"))
    let events = HookTest.events(hook, HookTest.request(body, headers: Self.auth))
    #expect(events.map(\.deliveryID) == ["b2"])
    #expect(events.first?.tag == "v2")
  }

  @Test("the host override wins over request.host; target.url is the fallback")
  func hosts() {
    let override = DistributionHook(secrets: [Self.secret], registryHost: "Registry.Example.com:5000")
    #expect(HookTest.events(override, HookTest.request(Self.envelope(Self.event()), headers: Self.auth)).first?.repository
      == "registry.example.com:5000/shinebayar-g/a")
    var e = Self.event()
    e["request"] = ["id": "x"]
    #expect(HookTest.events(hook, HookTest.request(Self.envelope(e), headers: Self.auth)).first?.repository == "registry.git.erxes.io/shinebayar-g/a")
    e["target"]["url"] = nil
    #expect(HookTest.status(hook, HookTest.request(Self.envelope(e), headers: Self.auth)) == 400)
  }

  @Test("malformed bodies: 400 when authentic, 401 otherwise", arguments: [
    Array("{".utf8), Array(#"{"events":"x"}"#.utf8), Array(#"{"nothing":1}"#.utf8), Array(#"{"events":[1]}"#.utf8),
    envelope(event(digest: "sha256:123")).serialized(), envelope(event(tag: "bad tag")).serialized(),
    envelope({ var e = event(); e["id"] = nil; return e }()).serialized(),
    envelope({ var e = event(); e["target"]["repository"] = nil; return e }()).serialized(),
  ])
  func malformed(body: [UInt8]) {
    #expect(HookTest.status(hook, HookTest.request(body, headers: Self.auth)) == 400)
    #expect(HookTest.status(hook, HookTest.request(body, headers: ["Authorization": "Bearer wrong"])) == 401)
  }

  @Test("an unexpected content type is malformed; a missing secret file line is a misconfiguration")
  func contentTypeAndConfig() {
    let headers = Self.auth.merging(["Content-Type": "text/html"]) { a, _ in a }
    #expect(HookTest.status(hook, HookTest.request(Self.envelope(Self.event()), headers: headers)) == 400)
    #expect(HookTest.status(DistributionHook(secrets: []), HookTest.request(Self.envelope(Self.event()), headers: Self.auth)) == 500)
  }
}
