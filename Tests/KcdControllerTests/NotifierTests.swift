@testable import KcdController
import KcdCore
import KcdHTTP
import KcdJSON
import KcdTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `Notifier` against local receivers: retries with back-off on 5xx, 429 and time-outs, no
/// retry on other 4xx, a bounded queue that drops the oldest, routing by scope, events and the
/// `kcd.dev/notify` annotation, and nothing secret in logs or metrics.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct NotifierTests {
  /// A local receiver answering each request by its number (0, 1, …): status and delay.
  final class Receiver: Sendable {
    final class Seen: Sendable { let list = Mutex<[HTTPRequest]>([]) }
    let seen = Seen()
    let server: HTTPServer

    init(_ answer: @escaping @Sendable (Int) -> (status: Int, delay: Double)) throws {
      let seen = self.seen
      server = try HTTPServer(configuration: HTTPServerConfiguration(address: "127.0.0.1:0"), handler: HTTPClosureHandler { request in
        let n = seen.list.withLock { s -> Int in s.append(request); return s.count - 1 }
        let (status, delay) = answer(n)
        if delay > 0 { usleep(UInt32(delay * 1_000_000)) }
        var headers = HTTPHeaders()
        if status == 429 { headers.set("Retry-After", "0") }
        return HTTPResponse(status: status, headers: headers, body: Array("ok".utf8))
      })
    }

    var url: String { "http://127.0.0.1:\(server.port)/services/T000/B000/SECRETTOKEN?token=hunter2" }
    var requests: [HTTPRequest] { seen.list.withLock { $0 } }
    deinit { server.shutdown(grace: 0.2) }
  }

  static func receiver(_ name: String, _ url: String, kind: NotificationReceiver.Kind = .cdevents, attempts: Int = 4, timeout: Double = 2) -> NotificationReceiver {
    var r = NotificationReceiver(name: name, kind: kind)
    r.url = url
    r.attempts = attempts
    r.retryBaseSeconds = 0.05
    r.timeoutSeconds = timeout
    return r
  }

  static func outcome(_ version: String = "1.4.2", result: RolloutResult = .success, requested: [String]? = nil) -> RolloutOutcome {
    var o = NotificationMessageTests.outcome(result)
    o.version = version
    o.trigger = "ci:\(version)"
    o.requested = requested
    return o
  }

  final class Setup: Sendable {
    let notifier: Notifier
    let metrics = MetricsRegistry()
    init(_ receivers: [NotificationReceiver], queueLimit: Int = 1000, start: Bool = true) {
      var settings = NotificationSettings(receivers: receivers)
      settings.queueLimit = queueLimit
      let log = LogLines()
      notifier = Notifier(settings: settings, metrics: metrics, log: Logger(format: .json, component: "test", sink: { l in log.lines.withLock { $0.append(l) } }))
      logged = log
      if start { notifier.start() }
    }

    let logged: LogLines
    var log: [String] { logged.lines.withLock { $0 } }

    func count(_ receiver: String, _ result: String) -> Double { metrics.value(Notifier.metric, [receiver, result]) }
  }

  final class LogLines: Sendable { let lines = Mutex<[String]>([]) }

  @Test("5xx is tried again with back-off until it is delivered: one outcome, one ce-id, several attempts")
  func retriesServerErrors() throws {
    let r = try Receiver { n in (n < 2 ? [500, 503][n] : 202, 0) }
    let s = Setup([Self.receiver("events", r.url)])
    defer { s.notifier.stop(grace: 0) }
    s.notifier.enqueue(Self.outcome())
    #expect(eventually(timeout: 10) { s.count("events", "delivered") == 1 }, "\(s.log)")
    #expect(r.requests.count == 3 && Set(r.requests.compactMap { $0.headers["ce-id"] }).count == 1)
    #expect(s.count("events", "failed") == 0)
  }

  @Test("a 4xx other than 408 and 429 is not tried again; 429 is (Retry-After honoured)")
  func clientErrors() throws {
    let gone = try Receiver { _ in (404, 0) }
    let busy = try Receiver { n in (n == 0 ? 429 : 200, 0) }
    let s = Setup([Self.receiver("gone", gone.url), Self.receiver("busy", busy.url)])
    defer { s.notifier.stop(grace: 0) }
    s.notifier.enqueue(Self.outcome())
    #expect(eventually(timeout: 10) { s.count("gone", "failed") == 1 && s.count("busy", "delivered") == 1 })
    #expect(gone.requests.count == 1 && busy.requests.count == 2)
  }

  @Test("a receiver that hangs: each try ends at the time-out, the outcome fails after its tries; enqueueing never waits for it")
  func hangs() throws {
    let r = try Receiver { _ in (200, 1.5) }
    let s = Setup([Self.receiver("slow", r.url, attempts: 2, timeout: 0.3)])
    defer { s.notifier.stop(grace: 0) }
    let started = monotonicSeconds()
    for i in 0..<200 { s.notifier.enqueue(Self.outcome("1.0.\(i)")) }
    #expect(monotonicSeconds() - started < 1, "queueing is not sending")
    #expect(eventually(timeout: 10) { s.count("slow", "failed") >= 1 })
    #expect(r.requests.count >= 2 && r.requests[0].headers["ce-id"] == r.requests[1].headers["ce-id"], "the first outcome was tried twice")
    #expect(s.log.contains { $0.contains("did not answer within 0.3 s") })
  }

  @Test("a full queue drops the oldest outcome and counts it; the newest are sent")
  func dropsOldest() throws {
    let r = try Receiver { _ in (204, 0) }
    let s = Setup([Self.receiver("events", r.url)], queueLimit: 2, start: false)
    for v in ["1", "2", "3", "4", "5"] { s.notifier.enqueue(Self.outcome(v)) }
    #expect(s.count("events", "dropped") == 3)
    s.notifier.start()
    defer { s.notifier.stop(grace: 0) }
    #expect(eventually(timeout: 10) { s.count("events", "delivered") == 2 })
    let versions = r.requests.compactMap { try? JSON.parse($0.body)["customData"]["version"].stringValue }
    #expect(versions == ["4", "5"])
  }

  @Test("stopping sends what is queued within the grace period, then gives up on the rest (counted as dropped)")
  func stops() throws {
    let r = try Receiver { _ in (200, 3) }
    let s = Setup([Self.receiver("slow", r.url, attempts: 1, timeout: 5)])
    for v in ["1", "2", "3"] { s.notifier.enqueue(Self.outcome(v)) }
    #expect(eventually(timeout: 5) { r.requests.count == 1 })
    let started = monotonicSeconds()
    s.notifier.stop(grace: 0.5)
    #expect(monotonicSeconds() - started < 3, "stop is bounded by its grace, not by the receiver")
    #expect(eventually(timeout: 10) { s.count("slow", "dropped") == 2 })
  }

  @Test("routing: scope all takes every KCD, scope named only KCDs naming it; events filter results")
  func routing() {
    var everyone = NotificationReceiver(name: "deploys", kind: .slack)
    everyone.events = [.failed, .rolledBack]
    var audit = NotificationReceiver(name: "audit", kind: .webhook)
    audit.scope = .named
    #expect(!everyone.wants(Self.outcome(result: .success)) && everyone.wants(Self.outcome(result: .failed)))
    #expect(everyone.wants(Self.outcome(result: .rolledBack, requested: ["other"])))
    #expect(!audit.wants(Self.outcome()) && !audit.wants(Self.outcome(requested: ["deploys"])))
    #expect(audit.wants(Self.outcome(requested: ["deploys", "audit"])))
    #expect(NotificationReceiver.names(" audit, deploys  team-a ") == ["audit", "deploys", "team-a"])
    let kcd = KCD(json: ["apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": "web", "namespace": "shop", "annotations": ["kcd.dev/notify": "audit,team-a"]],
                         "spec": ["imageRepo": "registry.example/shop/web", "tag": "main", "selector": ["app": "web"]]])
    #expect(kcd.notify == ["audit", "team-a"])
  }

  @Test("back-off: doubling from the base with ±25 % jitter (5 tries ≈ 2 minutes at the default), at least Retry-After, at most 5 minutes")
  func backoff() {
    let low = (1...4).map { NotificationLane.backoff(attempt: $0, base: 8, retryAfter: nil, random: 0) }
    let high = (1...4).map { NotificationLane.backoff(attempt: $0, base: 8, retryAfter: nil, random: 0.999_999) }
    #expect(low == [6, 12, 24, 48] && high.map { $0.rounded() } == [10, 20, 40, 80])
    #expect(low.reduce(0, +) == 90 && high.reduce(0, +) < 151)
    #expect(NotificationLane.backoff(attempt: 1, base: 8, retryAfter: 30, random: 0.5) == 30)
    #expect(NotificationLane.backoff(attempt: 12, base: 8, retryAfter: nil, random: 0.5) == 300)
  }

  @Test("nothing secret in logs, metrics or errors: a URL from urlFile shows only scheme://host")
  func secrets() throws {
    let r = try Receiver { _ in (404, 0) }
    let dir = TestEnvironment.makeTemporaryDirectory()
    TestEnvironment.write(r.url + "\n", to: dir + "/url")
    var slack = NotificationReceiver(name: "deploys", kind: .slack)
    slack.urlFile = dir + "/url"
    var missing = NotificationReceiver(name: "missing", kind: .slack)
    missing.urlFile = dir + "/absent"
    let s = Setup([slack, missing])
    defer { s.notifier.stop(grace: 0) }
    s.notifier.enqueue(Self.outcome(result: .failed))
    #expect(eventually(timeout: 10) { s.count("deploys", "failed") == 1 && s.count("missing", "failed") == 1 })
    #expect(r.requests.first?.path == "/services/T000/B000/SECRETTOKEN", "the URL came from the file")
    let logs = s.log.joined(separator: "\n")
    #expect(logs.contains("http://127.0.0.1:\(r.server.port) answered 404"), "\(logs)")
    #expect(logs.contains("cannot read urlFile \(dir)/absent"), "\(logs)")
    for secret in ["SECRETTOKEN", "hunter2", "/services/"] {
      #expect(!logs.contains(secret) && !s.metrics.render().contains(secret), "\(secret) leaked")
    }
    #expect(NotificationReceiver.displayHost("https://user:pw@hooks.slack.com/services/T/B/X?x=1") == "https://hooks.slack.com")
  }
}
