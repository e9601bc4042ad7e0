import KcdCore
import KcdHooks
import KcdJSON
import KcdTestSupport
import Testing

/// Signed CI callbacks cannot roll production back by accident or by replay: a callback signed
/// before the one kcd already took is older news (200, nothing deployed), however many
/// deliveries came between — a verbatim replay inside the signature window included — unless it
/// says it moves back on purpose; delivery ids are bounded (a long one is 400, never stored).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CallbackReplayTests {
  static let key = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

  struct Signed {
    var id: String
    var timestamp: Int64
    var body: String
  }

  static func signed(digest: String, version: String, at timestamp: Int64, id: String = "msg_\(Int.random(in: 0..<1_000_000_000))", rollback: Bool = false) -> Signed {
    var body: JSON = ["repository": "registry.example/shop/web", "tag": "main", "digest": .string(digest), "version": .string(version)]
    if rollback { body["rollback"] = true }
    return Signed(id: id, timestamp: timestamp, body: body.text)
  }

  static func send(_ kcd: KcdProcess, _ s: Signed) throws -> HTTPTestResponse {
    let key = try StandardWebhooks.Key(secret: Self.key)
    let signature = StandardWebhooks.signature(key: key, id: s.id, timestamp: String(s.timestamp), body: Array(s.body.utf8))
    return try httpRequest(port: kcd.hooksPort, method: "POST", path: "/hooks/ci",
                           headers: ["Content-Type": "application/json", "webhook-id": s.id, "webhook-timestamp": String(s.timestamp), "webhook-signature": signature],
                           body: s.body)
  }

  @Test("a late retry, a replay after 20 newer deliveries, and an outsized id are refused; a deliberate move back is taken")
  func replays() throws {
    let sim = try SpineEndToEndTests.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(kcd.waitReady())
    func status() -> JSON { SpineEndToEndTests.kcdStatus(sim) }
    let now = Int64(Timestamps.now())
    let old = randomDigest(), new = randomDigest()
    // The build of 4 minutes ago (its first delivery got a 503 and is retried now) arrives after
    // the newer build was taken.
    let late = Self.signed(digest: old, version: "1111111", at: now - 240)
    let current = Self.signed(digest: new, version: "2222222", at: now - 10)
    var r = try Self.send(kcd, current)
    #expect(r.status == 202, "\(r.text)")
    #expect(eventually(timeout: 60) { status()["currDigest"].stringValue == new && status()["currStatus"] == "Success" }, "\(status())")
    r = try Self.send(kcd, late)
    #expect(r.status == 200 && r.text.contains("older than the deployed event"), "\(r.text)")

    // Twenty newer deliveries (each for the same digest, nothing to roll out), then the current
    // one replayed verbatim: its id has left the recent list, its signature is still in the
    // window, and it is still not news.
    for i in 0..<21 { _ = try Self.send(kcd, Self.signed(digest: new, version: "2222222", at: now - 5 + Int64(i % 3))) }
    r = try Self.send(kcd, current)
    #expect(r.status == 200, "\(r.text)")
    _ = eventually(timeout: 2) { false }
    #expect(status()["currDigest"].stringValue == new)

    // Moving back on purpose is allowed.
    r = try Self.send(kcd, Self.signed(digest: old, version: "1111111", at: now - 200, rollback: true))
    #expect(r.status == 202, "\(r.text)")
    #expect(eventually(timeout: 60) { status()["currDigest"].stringValue == old && status()["currStatus"] == "Success" }, "\(status())")

    // An outsized delivery id is refused before anything is stored.
    let annotationBefore = sim.json(["kcd", "web", "-n", "shop"])["metadata"]["annotations"]["kcd.dev/event"].stringValue ?? ""
    r = try Self.send(kcd, Self.signed(digest: randomDigest(), version: "3333333", at: now, id: "msg_" + String(repeating: "x", count: 300)))
    #expect(r.status == 400 && r.text.contains("longer than 256 bytes"), "\(r.text)")
    #expect(sim.json(["kcd", "web", "-n", "shop"])["metadata"]["annotations"]["kcd.dev/event"].stringValue == annotationBefore)
  }
}
