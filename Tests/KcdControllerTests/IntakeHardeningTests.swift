import KcdCore
import KcdHooks
import KcdJSON
import KcdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Hostile and broken requests to `/hooks/ci` get the documented codes, the server keeps
/// answering, and nothing reaches Kubernetes (asserted on KubeSim's request log).
@Suite(.timeLimit(.minutes(5)))
struct IntakeHardeningTests {
  static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

  static func signed(_ body: String, id: String = "msg_\(Int.random(in: 0..<1_000_000_000))", timestamp: Int64 = Int64(Timestamps.now()), secret: String = secret) -> [String: String] {
    let key = try! StandardWebhooks.Key(secret: secret)
    return ["webhook-id": id, "webhook-timestamp": String(timestamp),
            "webhook-signature": StandardWebhooks.signature(key: key, id: id, timestamp: String(timestamp), body: Array(body.utf8)),
            "Content-Type": "application/json"]
  }

  /// A whole signed `POST /hooks/ci` request, for a raw connection.
  static func rawSigned(_ body: String, id: String) -> String {
    var head = "POST /hooks/ci HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n"
    for (k, v) in signed(body, id: id) { head += "\(k): \(v)\r\n" }
    return head + "\r\n" + body
  }

  /// Intake's writes: the KCD object itself (the reconciler writes only the status subresource).
  static func writesToKCDs(_ sim: SimProcess) throws -> [JSON] {
    try sim.requestLog().filter { ($0["method"] == "PATCH" || $0["method"] == "PUT") && $0["path"] == "/apis/kcd.dev/v1/namespaces/shop/kcds/web" }
  }

  @Test("bad requests get the documented codes and record nothing")
  func badRequests() throws {
    raiseFileLimit()
    let sim = try SpineEndToEndTests.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(kcd.waitReady())
    let port = kcd.hooksPort
    let body = #"{"repository":"registry.example/shop/web","tag":"main","digest":"\#(randomDigest())","version":"abc1234"}"#

    var wrong = Self.signed(body)
    wrong["webhook-signature"] = Self.signed(body, secret: "whsec_" + Base64.encode(Array("another key of 24 bytes!".utf8)))["webhook-signature"]
    #expect(try httpRequest(port: port, method: "POST", path: "/hooks/ci", headers: wrong, body: body).status == 401)
    #expect(try httpRequest(port: port, method: "POST", path: "/hooks/ci", headers: ["Content-Type": "application/json"], body: body).status == 401)
    let stale = Self.signed(body, timestamp: Int64(Timestamps.now()) - 600)
    #expect(try httpRequest(port: port, method: "POST", path: "/hooks/ci", headers: stale, body: body).status == 401)
    let future = Self.signed(body, timestamp: Int64(Timestamps.now()) + 600)
    #expect(try httpRequest(port: port, method: "POST", path: "/hooks/ci", headers: future, body: body).status == 401)
    let tampered = Self.signed(body)
    #expect(try httpRequest(port: port, method: "POST", path: "/hooks/ci", headers: tampered, body: body.replacingOccurrences("main", "prod")).status == 401)
    let malformed = "{not json"
    #expect(try httpRequest(port: port, method: "POST", path: "/hooks/ci", headers: Self.signed(malformed), body: malformed).status == 400)
    let noTag = #"{"repository":"registry.example/shop/web"}"#
    #expect(try httpRequest(port: port, method: "POST", path: "/hooks/ci", headers: Self.signed(noTag), body: noTag).status == 400)
    #expect(try httpRequest(port: port, method: "GET", path: "/hooks/ci").status == 405)
    #expect(try httpRequest(port: port, method: "POST", path: "/hooks/ecr", body: "{}").status == 404)
    #expect(try httpRequest(port: port, method: "POST", path: "/hooks/nope", body: "{}").status == 404)

    // Without its signature headers a CI callback is refused before its body is read.
    let unsigned = try RawConnection(port: port)
    unsigned.send("POST /hooks/ci HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
    #expect(unsigned.readResponse()?.status == 401)
    // With them: a body over the CI callback's limit (64 KiB) → 413, before it is read.
    let signatureHeads = "webhook-id: m1\r\nwebhook-timestamp: 1\r\nwebhook-signature: v1,x\r\n"
    let c1 = try RawConnection(port: port)
    c1.send("POST /hooks/ci HTTP/1.1\r\nHost: x\r\n\(signatureHeads)Content-Length: \(100 << 10)\r\n\r\n")
    #expect(c1.readResponse()?.status == 413)
    // Bad chunk framing → 400.
    let c2 = try RawConnection(port: port)
    c2.send("POST /hooks/ci HTTP/1.1\r\nHost: x\r\n\(signatureHeads)Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
    #expect(c2.readResponse()?.status == 400)
    // Content-Length with Transfer-Encoding → 400 (no smuggling).
    let c3 = try RawConnection(port: port)
    c3.send("POST /hooks/ci HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    #expect(c3.readResponse()?.status == 400)

    // 1,000 idle half-open connections from one peer: past its cap (512) they are 503 at
    // once, and another peer is still answered.
    var idle: [RawConnection] = []
    for _ in 0..<1000 {
      guard let c = try? RawConnection(port: port) else { break }
      c.send("POST /hooks/ci HTTP/1.1\r\nHost: x\r\n")
      idle.append(c)
    }
    #expect(idle.count == 1000)
    // Refused at accept (the held ones have `firstRequestTimeout`, 5 s, before their 408).
    #expect(eventually(timeout: 4) { idle.filter { $0.hasData(timeout: 0) }.count >= 1000 - 512 })
    let capped = idle.filter { $0.hasData(timeout: 0) }
    let cappedStatuses = capped.map { $0.readResponse()?.status ?? 0 }
    #expect(capped.count >= 1000 - 512 && cappedStatuses.allSatisfy { $0 == 503 }, "\(capped.count) answered at once: \(Set(cappedStatuses))")
    let replayID = "msg_replay_\(Int.random(in: 0..<1_000_000))"
    let other = try RawConnection(port: port, from: "127.0.0.2")
    other.send(Self.rawSigned(body, id: replayID))
    let ok = try #require(other.readResponse())
    #expect(ok.status == 202, "\(ok.text)")
    idle.removeAll()

    // The one authentic request wrote once; every bad one wrote nothing.
    #expect(try Self.writesToKCDs(sim).count == 1)
    // A replay of the same delivery is answered 200 and changes nothing.
    let again = try RawConnection(port: port, from: "127.0.0.2")
    again.send(Self.rawSigned(body, id: replayID))
    let replay = try #require(again.readResponse())
    #expect(replay.status == 200, "\(replay.text)")
    #expect(try Self.writesToKCDs(sim).count == 1)
    let metrics = try Subprocess.run(["curl", "-s", "http://127.0.0.1:\(kcd.apiPort)/metrics"]).stdout
    #expect(metrics.contains("kcd_hook_requests_total{source=\"ci\",code=\"401\"} 6"), "\(metrics)")
  }
}

/// Bodies are only read within a budget: uploads that would hold more than the listener's body
/// budget (per peer, half of it) are answered 503 before any body is read, and another peer's
/// signed callback still goes through.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BodyBudgetTests {
  @Test("a hundred 1 MiB uploads held open by one peer: past the budget 503 before reading; another peer's callback is 202")
  func heldUploads() throws {
    raiseFileLimit()
    let sim = try SpineEndToEndTests.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    TestEnvironment.write("dist-token\n", to: sim.directory + "/hooks/distribution")
    #expect(kcd.waitReady())
    var held: [RawConnection] = []
    for _ in 0..<100 {
      let c = try RawConnection(port: kcd.hooksPort)
      c.send("POST /hooks/distribution HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dist-token\r\nContent-Type: application/json\r\nContent-Length: \(1 << 20)\r\n\r\n")
      held.append(c)
    }
    // Each connection is either held (its body awaited within the budget) or refused at once.
    let refused = held.filter { $0.hasData(timeout: 0.2) }
    let statuses = refused.compactMap { $0.readResponse()?.status }
    #expect(statuses.count >= 60 && statuses.allSatisfy { $0 == 503 }, "\(statuses.count) refused: \(Set(statuses))")
    #expect(held.count - refused.count <= 32, "one peer holds at most half of the 64 MiB budget")
    // A wrong token never reaches the budget: 401 from the head.
    let forged = try RawConnection(port: kcd.hooksPort)
    forged.send("POST /hooks/distribution HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nContent-Length: \(1 << 20)\r\n\r\n")
    #expect(forged.readResponse()?.status == 401)
    // Another peer is served.
    let body = #"{"repository":"registry.example/shop/web","tag":"main","digest":"\#(randomDigest())","version":"4444444"}"#
    let other = try RawConnection(port: kcd.hooksPort, from: "127.0.0.2")
    other.send(IntakeHardeningTests.rawSigned(body, id: "msg_\(Int.random(in: 0..<1_000_000_000))"))
    let answer = other.readResponse()
    #expect(answer?.status == 202, "\(answer?.text ?? "")")
    held.removeAll()
  }
}

/// Lets a test hold more sockets than the default soft limit.
func raiseFileLimit() {
  var limit = rlimit()
  getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
  limit.rlim_cur = limit.rlim_max
  setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

extension String {
  func replacingOccurrences(_ a: String, _ b: String) -> String {
    var out = ""
    var rest = self[...]
    while let r = rest.firstRange(of: a) {
      out += rest[..<r.lowerBound] + b
      rest = rest[r.upperBound...]
    }
    return out + rest
  }
}
