import KcdCore
import KcdHTTP
import KcdHooks
import KcdJSON
import KcdTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Notifications end to end: `kcd run` against KubeSim with local receivers (Slack-like, a
/// signed generic webhook, CDEvents, one named by a KCD's annotation, one answering 500, one
/// that hangs). A first deploy, a failure rolled back, an upgrade and a verification refusal
/// each reach every interested receiver exactly once; the broken ones are retried and never
/// delay a rollout.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct NotificationEndToEndTests {
  static let key = "whsec_" + Base64.encode(Array("notification-end-to-end-key-0123456789".utf8))

  /// Every request the receivers got, by path; the hanging one's requests still in flight.
  final class Receivers: Sendable {
    let seen = Mutex<[String: [HTTPRequest]]>([:])
    let hanging = Atomic<Int>(0)
    let server: HTTPServer

    init() throws {
      let box = Box()
      server = try HTTPServer(configuration: HTTPServerConfiguration(address: "127.0.0.1:0"), handler: HTTPClosureHandler { request in
        box.receivers?.take(request) ?? HTTPResponse(status: 503)
      })
      box.receivers = self
    }

    /// Late binding: the handler needs the receivers, which need the server.
    final class Box: @unchecked Sendable { weak var receivers: Receivers? }

    func take(_ request: HTTPRequest) -> HTTPResponse {
      seen.withLock { $0[request.path, default: []].append(request) }
      switch request.path {
      case "/services/T0/B0/XSECRET": return HTTPResponse(status: 200, body: Array("ok".utf8))
      case "/broken": return HTTPResponse(status: 500, body: Array("rollup_error".utf8))
      case "/hangs":
        hanging.wrappingAdd(1, ordering: .relaxed)
        usleep(5_000_000)
        hanging.wrappingSubtract(1, ordering: .relaxed)
        return HTTPResponse(status: 200)
      case "/verify": return HTTPResponse(status: 403, body: Array("not today".utf8))
      default: return HTTPResponse(status: 202)
      }
    }

    var base: String { "http://127.0.0.1:\(server.port)" }
    func requests(_ path: String) -> [HTTPRequest] { seen.withLock { $0[path] ?? [] } }
    deinit { server.shutdown(grace: 0.2) }
  }

  static func config(_ r: Receivers, dir: String) -> String {
    TestEnvironment.write(r.base + "/services/T0/B0/XSECRET\n", to: dir + "/slack-url")
    TestEnvironment.write(key + "\n", to: dir + "/notify.key")
    return """
      dashboardURL: https://kcd.example/
      notifications:
        - {name: slack, kind: slack, urlFile: \(dir)/slack-url}
        - {name: generic, kind: webhook, url: "\(r.base)/generic", keyFile: \(dir)/notify.key}
        - {name: cdevents, kind: cdevents, url: "\(r.base)/cdevents"}
        - {name: audit, kind: webhook, url: "\(r.base)/audit", keyFile: \(dir)/notify.key, scope: named}
        - {name: broken, kind: cdevents, url: "\(r.base)/broken", attempts: 4, retryBaseSeconds: 0.5}
        - {name: hangs, kind: cdevents, url: "\(r.base)/hangs", attempts: 2, timeoutSeconds: 3, retryBaseSeconds: 0.5}
      """
  }

  static func metrics(_ kcd: KcdProcess) -> String { (try? Subprocess.run(["curl", "-s", "http://127.0.0.1:\(kcd.apiPort)/metrics"]).stdout) ?? "" }

  static func value(_ text: String, _ series: String) -> Double {
    text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
  }

  /// event → patch of the next rollout: (count, sum) of `kcd_event_to_patch_seconds`.
  static func eventToPatch(_ kcd: KcdProcess) -> (Double, Double) {
    let m = metrics(kcd)
    return (value(m, "kcd_event_to_patch_seconds_count"), value(m, "kcd_event_to_patch_seconds_sum"))
  }

  /// Pushes a version of web and returns how long its patch took after the webhook arrived.
  static func push(_ kcd: KcdProcess, _ sim: SimProcess, version: String) throws -> (digest: String, eventToPatch: Double) {
    let (count, sum) = eventToPatch(kcd)
    let digest = randomDigest()
    let sent = try kcd.send(repository: "registry.example/shop/web", tag: "main", digest: digest, version: version)
    #expect(sent.status == 0, "\(sent)")
    #expect(eventually(timeout: 30) { eventToPatch(kcd).0 == count + 1 }, "\(metrics(kcd))")
    return (digest, eventToPatch(kcd).1 - sum)
  }

  static func bodies(_ r: Receivers, _ path: String) -> [JSON] { r.requests(path).compactMap { try? JSON.parse($0.body) } }

  @Test("each receiver gets exactly one message per outcome; the generic one verifies; CloudEvents headers; a 500 or a hang never delays a rollout")
  func outcomes() throws {
    let r = try Receivers()
    let sim = try SimProcess()
    try sim.apply([SpineEndToEndTests.crd, SpineEndToEndTests.fixture("shop.yaml"), SpineEndToEndTests.fixture("gate.yaml").replacing("VERIFY_URL", with: r.base + "/verify")])
    TestEnvironment.write(Self.config(r, dir: sim.directory), to: sim.directory + "/kcd.yaml")
    TestEnvironment.write(VerificationEndToEndTests.verificationKey + "\n", to: sim.directory + "/verification.key")
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory,
                             extraArguments: ["--config", sim.directory + "/kcd.yaml", "--verification-key-file", sim.directory + "/verification.key"])
    #expect(kcd.waitReady())
    func status(_ name: String) -> JSON { sim.json(["kcd", name, "-n", "shop"])["status"] }

    // A first deploy of web, and a gate candidate refused by its verification.
    let gated = try kcd.send(repository: "registry.example/shop/gate", tag: "main", digest: randomDigest(), version: "2.0.0")
    #expect(gated.status == 0, "\(gated)")
    let first = try Self.push(kcd, sim, version: "1.0.1")
    #expect(eventually(timeout: 30) { status("web")["currStatus"] == "Success" && status("gate")["currStatus"] == "Failed" }, "\(status("web")) \(status("gate"))")
    #expect(eventually(timeout: 10) { r.requests("/cdevents").count == 2 && r.hanging.load(ordering: .relaxed) > 0 })

    // The next rollout starts while the broken receivers are still being tried.
    let bad = try Self.push(kcd, sim, version: "fail-progress")
    #expect(r.hanging.load(ordering: .relaxed) > 0 || r.requests("/hangs").count > 1, "the hanging receiver was hanging meanwhile")
    #expect(bad.eventToPatch < 1, "event → patch \(bad.eventToPatch) s while a receiver hangs")
    #expect(eventually(timeout: 60) { status("web")["currStatus"] == "RolledBack" }, "\(status("web"))")
    let upgrade = try Self.push(kcd, sim, version: "1.0.3")
    #expect(upgrade.eventToPatch < 1, "event → patch \(upgrade.eventToPatch) s")
    #expect(eventually(timeout: 30) { status("web")["currStatus"] == "Success" && r.requests("/cdevents").count == 4 })
    Thread_sleep(1)

    // Slack: one readable message per outcome.
    let slack = Self.bodies(r, "/services/T0/B0/XSECRET").compactMap { $0["text"].stringValue }
    #expect(Set(slack) == [":white_check_mark: shop/web rolled out `1.0.1`", ":leftwards_arrow_with_hook: shop/web: `fail-progress` failed and was rolled back to `1.0.1`",
                           ":white_check_mark: shop/web rolled out `1.0.3`", ":x: shop/gate: `2.0.0` failed (VerificationFailed)"] && slack.count == 4, "\(slack)")
    #expect(Self.bodies(r, "/services/T0/B0/XSECRET").allSatisfy { $0.text.contains("<https://kcd.example/?namespace=shop|Open the dashboard>") })

    // The generic webhook: signed with the test's key, one id per outcome.
    let generic = r.requests("/generic")
    #expect(generic.count == 4 && Set(generic.compactMap { $0.headers["webhook-id"] }).count == 4)
    let key = try StandardWebhooks.Key(secret: Self.key)
    for request in generic {
      try StandardWebhooks.verify(keys: [key], id: request.headers["webhook-id"], timestamp: request.headers["webhook-timestamp"],
                                  signatures: request.headers["webhook-signature"], body: request.body, now: Timestamps.now())
    }
    let results = Self.bodies(r, "/generic").map { "\($0["kcd"]["name"].stringValue ?? "") \($0["result"].stringValue ?? "") \($0["version"].stringValue ?? "")" }
    #expect(Set(results) == ["web Success 1.0.1", "web RolledBack fail-progress", "web Success 1.0.3", "gate Failed 2.0.0"], "\(results)")
    #expect(Self.bodies(r, "/generic").first { $0["version"] == "1.0.3" }?["digest"].stringValue == upgrade.digest)

    // CDEvents in binary mode: the headers carry the context, the body is the CDEvent.
    var types: [String: String] = [:]
    for request in r.requests("/cdevents") {
      let event = try JSON.parse(request.body)
      let h = request.headers
      #expect(h["ce-specversion"] == "1.0" && h["Content-Type"] == "application/json")
      #expect(h["ce-id"] == event["context"]["id"].stringValue && h["ce-type"] == event["context"]["type"].stringValue)
      #expect(h["ce-source"] == event["context"]["source"].stringValue && h["ce-time"] == event["context"]["timestamp"].stringValue)
      #expect(h["ce-subject"] == event["subject"]["id"].stringValue && event["context"]["specversion"] == "0.5.1")
      types["\(event["customData"]["kcd"]["name"].stringValue ?? "") \(event["customData"]["version"].stringValue ?? "")"] = h["ce-type"]
    }
    #expect(types == ["web 1.0.1": "dev.cdevents.service.deployed.0.3.0", "web fail-progress": "dev.cdevents.service.rolledback.0.3.0",
                      "web 1.0.3": "dev.cdevents.service.upgraded.0.3.0", "gate 2.0.0": "dev.cdevents.incident.detected.0.3.0"], "\(types)")
    let deployed = Self.bodies(r, "/cdevents").first { $0["customData"]["version"] == "1.0.1" }
    #expect(deployed?["subject"]["content"]["artifactId"].stringValue == "pkg:oci/web@sha256%3A\(first.digest.dropFirst(7))?repository_url=registry.example/shop/web&tag=1.0.1")
    let rolledBack = Self.bodies(r, "/cdevents").first { $0["customData"]["version"] == "fail-progress" }
    #expect(rolledBack?["subject"]["content"]["artifactId"].stringValue?.contains("sha256%3A\(first.digest.dropFirst(7))") == true, "what runs again")

    // Named by gate's annotation only; the 500 one tried again; the counts.
    #expect(Self.bodies(r, "/audit").map { $0["kcd"]["name"] } == ["gate"])
    #expect(eventually(timeout: 30) { Self.value(Self.metrics(kcd), "kcd_notifications_total{receiver=\"broken\",result=\"failed\"}") == 4 })
    let attempts = Dictionary(grouping: r.requests("/broken"), by: { $0.headers["ce-id"] ?? "" })
    #expect(attempts.count == 4 && attempts.values.allSatisfy { $0.count == 4 }, "each outcome tried four times: \(attempts.mapValues(\.count))")
    let m = Self.metrics(kcd)
    for (receiver, delivered) in [("slack", 4.0), ("generic", 4), ("cdevents", 4), ("audit", 1)] {
      #expect(Self.value(m, "kcd_notifications_total{receiver=\"\(receiver)\",result=\"delivered\"}") == delivered, "\(receiver)")
      #expect(Self.value(m, "kcd_notifications_total{receiver=\"\(receiver)\",result=\"failed\"}") == 0, "\(receiver)")
    }
    #expect(!m.contains("XSECRET") && !kcd.child.errorOutput.contains("XSECRET"), "the Slack URL is a secret")
    #expect(kcd.child.errorOutput.contains("\(r.base) answered 500"), "\(kcd.child.errorOutput.suffix(2000))")
  }
}
