import KcdController
import KcdHooks
import KcdJSON
import KcdKube
import Testing

/// Intake's pure rules: which KCDs an event is for, when it adds nothing (idempotency), and the
/// durable record it leaves in the KCD's annotation.
@Suite struct EventIntakeTests {
  static let digestA = "sha256:" + String(repeating: "a", count: 64)
  static let digestB = "sha256:" + String(repeating: "b", count: 64)

  static func kcd(_ namespace: String, _ name: String, imageRepo: String, tag: String = "main", status: JSON = .null,
                  pending: RequestedRollout? = nil) -> JSON {
    var k: JSON = ["apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                   "spec": ["imageRepo": .string(imageRepo), "tag": .string(tag), "selector": ["app": .string(name)]]]
    if !status.isNull { k["status"] = status }
    if let pending { k["metadata"]["annotations"] = [RequestedRollout.annotation: .string(pending.json.text)] }
    return k
  }

  static func event(_ repository: String = "registry.example/shop/web", tag: String? = "main", digest: String? = digestA,
                    id: String = "msg_1", target: String? = nil) -> ImageEvent {
    ImageEvent(repository: RepositoryName.normalize(repository), tag: tag, digest: digest, version: "3ae8d1b", source: "ci",
               deliveryID: id, receivedAt: 1_700_000_000.5, target: target)
  }

  static let kcds: [JSON] = [
    kcd("shop", "web", imageRepo: "registry.example/shop/web"),
    kcd("shop", "web-canary", imageRepo: "registry.example/shop/web"),
    kcd("prod", "web", imageRepo: "Registry.Example/shop/web", tag: "prod"),
    kcd("shop", "proxy", imageRepo: "nginx", tag: "main"),
    kcd("shop", "broken", imageRepo: "registry.example/shop/web:1.0"),
  ]

  static func keys(_ list: [KCD]) -> [String] { list.map(\.key) }

  /// A KCD cache holding these objects, as the informer would fill it.
  static func cache(_ list: [JSON]) -> KCDCache {
    let cache = KCDCache()
    cache.beginRelist()
    cache.listed(list.map { ListedObject(object: $0) })
    cache.endRelist()
    return cache
  }

  static let cached = cache(kcds)

  @Test("an event matches every valid KCD with the same canonical repository and tag")
  func matches() {
    #expect(Self.keys(EventIntake.matches(Self.event(), in: Self.cached)) == ["shop/web", "shop/web-canary"])
    #expect(Self.keys(EventIntake.matches(Self.event(tag: "prod"), in: Self.cached)) == ["prod/web"], "host compared lower-cased")
    #expect(Self.keys(EventIntake.matches(Self.event("docker.io/library/nginx"), in: Self.cached)) == ["shop/proxy"])
    #expect(Self.keys(EventIntake.matches(Self.event("index.docker.io/library/nginx"), in: Self.cached)) == ["shop/proxy"])
  }

  @Test("no match for another tag, another repository, or no tag")
  func noMatch() {
    #expect(EventIntake.matches(Self.event(tag: "develop"), in: Self.cached).isEmpty)
    #expect(EventIntake.matches(Self.event("registry.example/shop/api"), in: Self.cached).isEmpty)
    #expect(EventIntake.matches(Self.event("registry.example/shop/web", tag: nil), in: Self.cached).isEmpty)
    #expect(EventIntake.matches(Self.event("registry.example/other/web"), in: Self.cached).isEmpty)
  }

  @Test("a target narrows the match to the KCD CI named, and only if it follows the event")
  func target() {
    #expect(Self.keys(EventIntake.matches(Self.event(target: "shop/web-canary"), in: Self.cached)) == ["shop/web-canary"])
    #expect(EventIntake.matches(Self.event(target: "prod/web"), in: Self.cached).isEmpty, "prod/web follows another tag")
    #expect(EventIntake.matches(Self.event(target: "shop/missing"), in: Self.cached).isEmpty)
  }

  static func request(id: String, digest: String? = digestA, tag: String? = "main", recent: [String] = []) -> RequestedRollout {
    RequestedRollout(event: event(tag: tag, digest: digest, id: id), recent: recent)
  }

  static let duplicateCases: [(String, ImageEvent, JSON, String?)] = [
    ("fresh KCD", event(), kcd("shop", "web", imageRepo: "registry.example/shop/web"), nil),
    ("same delivery id seen before", event(digest: digestB, id: "msg_old"),
     kcd("shop", "web", imageRepo: "registry.example/shop/web", pending: request(id: "msg_2", recent: ["msg_old"])),
     "delivery msg_old was already received"),
    ("same delivery id, no digest", event(digest: nil, id: "msg_2"),
     kcd("shop", "web", imageRepo: "registry.example/shop/web", pending: request(id: "msg_2")), "delivery msg_2 was already received"),
    ("failed digest", event(id: "msg_3"), kcd("shop", "web", imageRepo: "registry.example/shop/web", status: ["failedDigest": .string(digestA)]),
     "digest failed before; it is not redeployed until a different digest arrives"),
    ("current digest deployed", event(id: "msg_3"),
     kcd("shop", "web", imageRepo: "registry.example/shop/web", status: ["currDigest": .string(digestA), "currStatus": "Success"]),
     "digest is already deployed"),
    ("current digest progressing", event(id: "msg_3"),
     kcd("shop", "web", imageRepo: "registry.example/shop/web", status: ["currDigest": .string(digestA), "currStatus": "Progressing"]),
     "digest is already deployed"),
    ("current digest verifying", event(id: "msg_3"),
     kcd("shop", "web", imageRepo: "registry.example/shop/web", status: ["currDigest": .string(digestA), "currStatus": "Verifying"]),
     "digest is already deployed"),
    ("current digest rolled back may be asked for again", event(id: "msg_3"),
     kcd("shop", "web", imageRepo: "registry.example/shop/web", status: ["currDigest": .string(digestA), "currStatus": "RolledBack"]), nil),
    ("pending request for the same digest", event(id: "msg_3"),
     kcd("shop", "web", imageRepo: "registry.example/shop/web", pending: request(id: "msg_2")), "digest already requested"),
    ("pending request for the same digest under another tag", event(tag: "main", id: "msg_3"),
     kcd("shop", "web", imageRepo: "registry.example/shop/web", pending: request(id: "msg_2", tag: "release")), nil),
    ("a different digest is new", event(digest: digestB, id: "msg_3"),
     kcd("shop", "web", imageRepo: "registry.example/shop/web",
         status: ["currDigest": .string(digestA), "currStatus": "Success", "failedDigest": .string("sha256:" + String(repeating: "c", count: 64))],
         pending: request(id: "msg_2")), nil),
    ("no digest and a new id", event(digest: nil, id: "msg_3"),
     kcd("shop", "web", imageRepo: "registry.example/shop/web", status: ["currDigest": .string(digestA), "currStatus": "Success"],
         pending: request(id: "msg_2")), nil),
  ]

  @Test("duplicateReason", arguments: duplicateCases)
  func duplicate(_ name: String, _ event: ImageEvent, _ kcd: JSON, _ expected: String?) {
    #expect(EventIntake.duplicateReason(event, kcd: KCD(json: kcd)) == expected, "\(name)")
  }

  @Test("the annotation round-trips every field")
  func roundTrip() throws {
    let event = ImageEvent(repository: "registry.example/shop/web", tag: "main", digest: Self.digestA, version: "3ae8d1b", source: "ci",
                           deliveryID: "msg_rt", receivedAt: 1_700_000_000.5)
    let original = RequestedRollout(event: event, recent: ["msg_a", "msg_b"])
    #expect(original.recent == ["msg_a", "msg_b", "msg_rt"])
    let kcd = Self.kcd("shop", "web", imageRepo: "registry.example/shop/web", pending: original)
    let read = try #require(RequestedRollout(kcd: kcd))
    #expect(read == original)
    #expect(read.json["receivedAt"] == "2023-11-14T22:13:20.500000Z", "stored as MicroTime")

    let bare = RequestedRollout(event: ImageEvent(repository: "docker.io/library/nginx", tag: nil, digest: nil, source: "dockerhub",
                                                  deliveryID: "d1", receivedAt: 1_700_000_000), recent: [])
    let bareRead = try #require(RequestedRollout(kcd: Self.kcd("shop", "web", imageRepo: "nginx", pending: bare)))
    #expect(bareRead == bare)
    #expect(bare.json.objectValue?.keys.sorted() == ["id", "receivedAt", "recent", "repository", "source"], "absent fields are left out")
  }

  @Test("no annotation, or one that is not a request, reads as nothing pending")
  func unreadable() {
    #expect(RequestedRollout(kcd: Self.kcd("shop", "web", imageRepo: "registry.example/shop/web")) == nil)
    for text in ["not json", "{}", #"{"id":"x","source":"ci"}"#, #"{"id":1,"source":"ci","repository":"r"}"#] {
      let kcd: JSON = ["metadata": ["annotations": [RequestedRollout.annotation: .string(text)]]]
      #expect(RequestedRollout(kcd: kcd) == nil, "\(text)")
    }
  }

  @Test("recent delivery ids are capped at 20, newest last")
  func recentCap() {
    #expect(RequestedRollout.recentLimit == 20)
    let previous = (0..<25).map { "msg_\($0)" }
    let request = RequestedRollout(event: Self.event(id: "msg_new"), recent: previous)
    #expect(request.recent.count == 20)
    #expect(request.recent.first == "msg_6")
    #expect(request.recent.last == "msg_new")
    let kcd = Self.kcd("shop", "web", imageRepo: "registry.example/shop/web", pending: request)
    #expect(EventIntake.duplicateReason(Self.event(digest: Self.digestB, id: "msg_6"), kcd: KCD(json: kcd)) == "delivery msg_6 was already received")
    #expect(EventIntake.duplicateReason(Self.event(digest: Self.digestB, id: "msg_5"), kcd: KCD(json: kcd)) == nil, "ids past the cap are forgotten")
  }
}
