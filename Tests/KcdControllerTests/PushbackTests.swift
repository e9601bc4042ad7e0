import KcdCore
import KcdCrypto
import KcdHooks
import KcdJSON
import KcdTestSupport
import Synchronization
import Testing

/// The API server pushes back (429 with Retry-After on 30 % of writes) during a burst of 500
/// pushes: every push kcd acknowledged is rolled out exactly once, and kcd slows itself down
/// while the 429s last (its allowed request rate, `kcd_kube_rate_limit`, drops).
@Suite(.timeLimit(.minutes(8)))
struct PushbackTests {
  static let count = Int(TestEnvironment.variable("KCD_PUSHBACK_COUNT") ?? "") ?? 500
  static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

  /// 500 Deployments, each followed by its own KCD.
  static func manifest() -> String {
    WorkloadManifests.deploymentsWithKCDs(namespace: "burst", count: count, oldTag: "1", repository: { "registry.example/app-\($0)" })
  }

  /// Sends one signed callback, retrying like a webhook sender on 429/503 (Retry-After).
  static func push(port: Int, key: StandardWebhooks.Key, index: Int, digest: String) -> Int {
    let body = #"{"repository":"registry.example/app-\#(index)","tag":"main","digest":"\#(digest)","version":"v\#(index)abcde"}"#
    for attempt in 0..<60 {
      let id = "msg_\(index)_\(attempt)"
      let timestamp = String(Int64(Timestamps.now()))
      let signature = StandardWebhooks.signature(key: key, id: id, timestamp: timestamp, body: Array(body.utf8))
      let headers = ["webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature, "Content-Type": "application/json"]
      guard let r = try? httpRequest(port: port, method: "POST", path: "/hooks/ci", headers: headers, body: body) else { continue }
      if r.status == 202 || r.status == 200 { return r.status }
      let wait = min(2, Double(r.header("Retry-After") ?? "1") ?? 1)
      Thread_sleep(wait)
    }
    return 0
  }

  static func rateLimit(_ kcd: KcdProcess) -> Double? {
    guard let text = try? Subprocess.run(["curl", "-s", "http://127.0.0.1:\(kcd.apiPort)/metrics"]).stdout else { return nil }
    let line = text.split(separator: "\n").first { $0.hasPrefix("kcd_kube_rate_limit ") }
    return line.flatMap { Double($0.split(separator: " ").last ?? "") }
  }

  @Test("429 on 30 % of writes during a 500-push burst: every acknowledged push rolled out exactly once, and kcd slows down meanwhile")
  func burstUnderPushback() throws {
    let sim = try SpineEndToEndTests.cluster()
    let applied = try sim.kubectl(Kubectl.machine, ["create", "-f", "-"], input: Self.manifest(), timeout: 300)
    #expect(applied.status == 0, "\(applied.stderr.suffix(2000))")
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, secret: Self.secret)
    #expect(kcd.waitReady(timeout: 60))
    #expect(Self.rateLimit(kcd) == 1000, "the ceiling by default")
    try sim.control("DELETE", "/_sim/requests")
    for verb in ["patch", "create", "update"] {
      try sim.control("POST", "/_sim/faults", #"{"verb":"\#(verb)","code":429,"rate":0.3,"retryAfterSeconds":1}"#)
    }
    let key = try StandardWebhooks.Key(secret: Self.secret)
    let digests = (0..<Self.count).map { _ in randomDigest() }
    let answers = Mutex([Int](repeating: 0, count: Self.count))
    let lowest = Mutex(Double.infinity)
    let sampling = Atomic<Bool>(true)
    Threads.spawn {
      while sampling.load(ordering: .relaxed) {
        if let r = Self.rateLimit(kcd) { lowest.withLock { $0 = min($0, r) } }
        Thread_sleep(0.2)
      }
    }
    ParallelWork.run(count: Self.count, width: 16) { i in
      let status = Self.push(port: kcd.hooksPort, key: key, index: i, digest: digests[i])
      answers.withLock { $0[i] = status }
    }
    let acknowledged = answers.withLock { a in a.indices.filter { a[$0] == 202 } }
    #expect(acknowledged.count == Self.count, "every push is acknowledged in the end: \(answers.withLock { Dictionary(grouping: $0, by: { $0 }).mapValues(\.count) })")

    func rolledOut() throws -> Set<Int> {
      let list = try JSON.parse(try sim.kubectl(Kubectl.machine, ["get", "deploy", "-n", "burst", "-o", "json"], timeout: 120).stdout)
      var done: Set<Int> = []
      for d in list["items"].arrayValue ?? [] {
        guard let name = d["metadata"]["name"].stringValue, let i = Int(name.dropFirst(4)) else { continue }
        if d[path: ["spec", "template", "spec", "containers"]][0]["image"].stringValue == "registry.example/app-\(i):v\(i)abcde@\(digests[i])" { done.insert(i) }
      }
      return done
    }
    #expect(eventually(timeout: 240, interval: 2) { (try? rolledOut().count) == Self.count },
            "\((try? rolledOut().count) ?? -1) of \(Self.count) rolled out; kcd: \(kcd.child.errorOutput.suffix(3000)) \((try? Subprocess.run(["curl", "-s", "http://127.0.0.1:\(kcd.apiPort)/metrics"]).stdout) ?? "")")
    sampling.store(false, ordering: .relaxed)
    try sim.control("DELETE", "/_sim/faults")

    let log = try sim.requestLog()
    let pushedBack = log.filter { $0["code"] == 429 && $0["userAgent"].stringValue?.hasPrefix("kcd/") == true }.count
    #expect(pushedBack > 100, "the faults were hit: \(pushedBack)")
    for i in acknowledged {
      let patches = log.filter { $0["method"] == "PATCH" && $0["path"] == .string("/apis/apps/v1/namespaces/burst/deployments/app-\(i)") && $0["code"] == 200 }
      #expect(patches.count == 1, "app-\(i) was patched \(patches.count) times")
    }
    let low = lowest.withLock { $0 }
    #expect(low < 1000, "kcd lowered its own request rate while the server pushed back: lowest \(low)")
  }
}
