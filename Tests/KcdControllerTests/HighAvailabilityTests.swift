import KcdCore
import KcdHooks
import KcdJSON
import KcdTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Several `kcd run --leader-elect` replicas against one `kcd sim`: every replica takes
/// webhooks, exactly one reconciles, and a leader killed with SIGKILL is replaced within the
/// lease duration without losing or doubling a rollout.
@Suite(.timeLimit(.minutes(6)))
struct HighAvailabilityTests {
  static let apps = 6
  /// Short durations so the test runs in seconds (the defaults are client-go's 15/10/2 s).
  static let leaseDuration = 3.0
  static func electionFlags(namespace: String = "shop") -> [String] {
    ["--leader-elect", "--leader-election-namespace", namespace, "--leader-election-lease-duration", "3", "--leader-election-renew-deadline", "2",
     "--leader-election-retry-period", "0.4"]
  }

  /// KubeSim with `apps` Deployments `app-N`, each followed by KCD `app-N` (webhooks only).
  static func cluster() throws -> SimProcess {
    let sim = try SimProcess()
    var r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: SpineEndToEndTests.crd)
    #expect(r.status == 0, "\(r)")
    let manifests = WorkloadManifests.deploymentsWithKCDs(namespace: "shop", count: apps, repository: { "registry.example/shop/app-\($0)" })
    r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: manifests)
    #expect(r.status == 0, "\(r)")
    return sim
  }

  static func replica(_ sim: SimProcess, extra: [String] = []) throws -> KcdProcess {
    try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, extraArguments: electionFlags() + extra)
  }

  static func leadership(_ kcd: KcdProcess) -> JSON {
    guard let r = try? Subprocess.run(["curl", "-s", "--max-time", "2", "http://127.0.0.1:\(kcd.apiPort)/api/v1/leader"]) else { return .null }
    return (try? JSON.parse(r.stdout)) ?? .null
  }

  static func statuses(_ sim: SimProcess) -> [String: JSON] {
    guard let r = try? sim.kubectl(Kubectl.machine, ["get", "kcd", "-n", "shop", "-o", "json"]), let j = try? JSON.parse(r.stdout) else { return [:] }
    var out: [String: JSON] = [:]
    for item in j["items"].arrayValue ?? [] { if let n = item["metadata"]["name"].stringValue { out[n] = item["status"] } }
    return out
  }

  /// Successful workload PATCHes and KCD status writes in KubeSim's log, with who sent them.
  static func writes(_ sim: SimProcess) throws -> (patches: [String: Int], statusWriters: Set<String>, patchers: Set<String>) {
    var patches: [String: Int] = [:]
    var statusWriters = Set<String>(), patchers = Set<String>()
    for entry in try sim.requestLog() where entry["code"].intValue.map({ $0 < 300 }) == true {
      let path = entry["path"].stringValue ?? ""
      let agent = entry["userAgent"].stringValue ?? ""
      if entry["method"] == "PATCH", path.hasPrefix("/apis/apps/v1/namespaces/shop/deployments/") {
        patches[String(path.split(separator: "/").last ?? ""), default: 0] += 1
        patchers.insert(agent)
      }
      if path.hasSuffix("/status"), path.contains("/kcds/") { statusWriters.insert(agent) }
    }
    return (patches, statusWriters, patchers)
  }

  /// ImagePatched Events, counting repeats (an Event seen again has its count raised).
  static func imagePatchedEvents(_ sim: SimProcess) -> Int {
    guard let r = try? sim.kubectl(Kubectl.machine, ["get", "events", "-n", "shop", "--field-selector", "reason=ImagePatched", "-o", "json"]),
      let j = try? JSON.parse(r.stdout) else { return -1 }
    return (j["items"].arrayValue ?? []).reduce(0) { $0 + Int($1["count"].intValue ?? 1) }
  }

  /// Sends one push per app, spread round-robin over `replicas`; returns the digests by app.
  static func pushRound(_ replicas: [KcdProcess], round: Int) throws -> [String: String] {
    var digests: [String: String] = [:]
    for i in 0..<apps {
      let digest = randomDigest()
      digests["app-\(i)"] = digest
      let sent = try replicas[i % replicas.count].send(repository: "registry.example/shop/app-\(i)", tag: "main", digest: digest, version: "r\(round)abcde")
      #expect(sent.status == 0 && sent.stdout.contains("202"), "\(sent)")
    }
    return digests
  }

  static func allRolledOut(_ sim: SimProcess, _ digests: [String: String]) -> Bool {
    let s = statuses(sim)
    return digests.allSatisfy { name, digest in s[name]?["currDigest"].stringValue == digest && s[name]?["currStatus"] == "Success" }
  }

  @Test("three replicas: all take webhooks, one reconciles; SIGKILL of the leader: another leads within the lease duration, nothing lost or doubled")
  func failover() throws {
    let sim = try Self.cluster()
    let replicas = try (0..<3).map { _ in try Self.replica(sim) }
    for r in replicas { #expect(r.waitReady(), "\(r.child.errorOutput.suffix(2000))") }
    #expect(eventually(timeout: 20) { replicas.filter { Self.leadership($0)["leading"] == true }.count == 1 })
    let leaderIndex = try #require(replicas.firstIndex { Self.leadership($0)["leading"] == true })
    let leaderIdentity = Self.leadership(replicas[leaderIndex])["identity"].stringValue ?? "?"
    for r in replicas { #expect(Self.leadership(r)["leader"].stringValue == leaderIdentity, "every replica knows who leads") }
    let metrics = try Subprocess.run(["curl", "-s", "http://127.0.0.1:\(replicas[(leaderIndex + 1) % 3].apiPort)/metrics"]).stdout
    #expect(metrics.contains("kcd_leader 0"), "a follower reports kcd_leader 0")

    let first = try Self.pushRound(replicas, round: 1)
    #expect(eventually(timeout: 60) { Self.allRolledOut(sim, first) }, "\(Self.statuses(sim))")
    var w = try Self.writes(sim)
    #expect(w.patches.count == Self.apps && w.patches.values.allSatisfy { $0 == 1 }, "one PATCH per workload: \(w.patches)")
    #expect(w.patchers.count == 1 && w.patchers.first?.contains(leaderIdentity) == true, "only the leader patches: \(w.patchers)")
    #expect(w.statusWriters.allSatisfy { $0.contains(leaderIdentity) }, "only the leader writes status: \(w.statusWriters)")
    // One ImagePatched Event per workload patched (Events are written after the patch: wait for them).
    #expect(eventually(timeout: 10) { Self.imagePatchedEvents(sim) == Self.apps }, "\(Self.imagePatchedEvents(sim)) ImagePatched Events for \(Self.apps) patches")

    // The leader dies without releasing: a survivor takes over once the lease runs out.
    let killedAt = monotonicSeconds()
    replicas[leaderIndex].crash()
    let survivors = replicas.enumerated().filter { $0.offset != leaderIndex }.map(\.element)
    // Pushes during the hand-over are taken by the survivors (202) and rolled out by the next leader.
    let second = try Self.pushRound(survivors, round: 2)
    #expect(eventually(timeout: 20, interval: 0.05) { survivors.contains { Self.leadership($0)["leading"] == true } })
    let takeover = monotonicSeconds() - killedAt
    #expect(takeover < Self.leaseDuration + 1.5, "took over after \(takeover) s")
    let newLeader = survivors.first { Self.leadership($0)["leading"] == true }.flatMap { Self.leadership($0)["identity"].stringValue } ?? "?"
    #expect(eventually(timeout: 60) { Self.allRolledOut(sim, second) }, "\(Self.statuses(sim))")
    w = try Self.writes(sim)
    #expect(w.patches.count == Self.apps && w.patches.values.allSatisfy { $0 == 2 }, "one more PATCH per workload: \(w.patches)")
    #expect(w.patchers.count == 2 && w.patchers.contains { $0.contains(newLeader) }, "\(w.patchers)")
  }

  @Test("SIGTERM of an idle leader exits 0 within 2 s and releases the Lease: the other replica leads at once")
  func gracefulRelease() throws {
    let sim = try Self.cluster()
    let a = try Self.replica(sim)
    #expect(a.waitReady())
    #expect(eventually(timeout: 10) { Self.leadership(a)["leading"] == true })
    let b = try Self.replica(sim)
    #expect(b.waitReady())
    #expect(eventually(timeout: 10) { Self.leadership(b)["leader"] == Self.leadership(a)["identity"] })
    let started = monotonicSeconds()
    a.child.kill(signal: SIGTERM)
    let status = a.child.wait(timeout: 10).status
    let took = monotonicSeconds() - started
    #expect(status == 0, "\(a.child.errorOutput.suffix(2000))")
    #expect(took < 2, "exited after \(took) s")
    #expect(eventually(timeout: 5, interval: 0.05) { Self.leadership(b)["leading"] == true })
    #expect(monotonicSeconds() - started < took + 1.5, "b did not wait for the lease to expire")
    #expect(a.child.output.contains("lease released") || a.child.errorOutput.contains("lease released"))
  }

  /// One signed callback for app-`index` to whichever replica is alive, retried as a webhook
  /// sender would (on 503/429 after Retry-After, on a refused connection at once elsewhere).
  static func push(ports: @Sendable () -> [Int], key: StandardWebhooks.Key, index: Int, digest: String) -> Int {
    let body = #"{"repository":"registry.example/app-\#(index)","tag":"main","digest":"\#(digest)","version":"v\#(index)abcde"}"#
    for attempt in 0..<100 {
      let live = ports()
      guard !live.isEmpty else { Thread_sleep(0.1); continue }
      let id = "msg_\(index)_\(attempt)"
      let timestamp = String(Int64(Timestamps.now()))
      let signature = StandardWebhooks.signature(key: key, id: id, timestamp: timestamp, body: Array(body.utf8))
      let headers = ["webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature, "Content-Type": "application/json"]
      guard let r = try? httpRequest(port: live[(index + attempt) % live.count], method: "POST", path: "/hooks/ci", headers: headers, body: body) else {
        Thread_sleep(0.05)
        continue
      }
      if r.status == 202 || r.status == 200 { return r.status }
      Thread_sleep(min(1, Double(r.header("Retry-After") ?? "0.2") ?? 0.2))
    }
    return 0
  }

  @Test("200 pushes over three replicas while the leader is SIGKILLed three times, with 20 % 500/503 on writes and dropped watches: every acknowledged push patched exactly once")
  func chaos() throws {
    let count = 200
    let sim = try SimProcess()
    var r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: SpineEndToEndTests.crd)
    #expect(r.status == 0, "\(r)")
    r = try sim.kubectl(Kubectl.machine, ["create", "-f", "-"],
                        input: WorkloadManifests.deploymentsWithKCDs(namespace: "burst", count: count, oldTag: "1", repository: { "registry.example/app-\($0)" }),
                        timeout: 300)
    #expect(r.status == 0, "\(r.stderr.suffix(2000))")
    let replicas = Mutex<[KcdProcess]>([])
    for _ in 0..<3 {
      let k = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, secret: PushbackTests.secret, extraArguments: Self.electionFlags(namespace: "burst"))
      replicas.withLock { $0.append(k) }
    }
    for k in replicas.withLock({ $0 }) { #expect(k.waitReady(timeout: 60)) }
    try sim.control("DELETE", "/_sim/requests")
    for verb in ["patch", "create", "update"] {
      try sim.control("POST", "/_sim/faults", #"{"verb":"\#(verb)","code":500,"rate":0.1}"#)
      try sim.control("POST", "/_sim/faults", #"{"verb":"\#(verb)","code":503,"rate":0.11,"retryAfterSeconds":1}"#)
    }
    let key = try StandardWebhooks.Key(secret: PushbackTests.secret)
    let digests = (0..<count).map { _ in randomDigest() }
    let answers = Mutex([Int](repeating: 0, count: count))
    let sent = Atomic<Int>(0)
    let ports: @Sendable () -> [Int] = { replicas.withLock { $0.filter { !$0.child.hasExited }.map(\.hooksPort) } }
    for _ in 0..<4 {
      Threads.spawn {
        while true {
          let i = sent.wrappingAdd(1, ordering: .relaxed).oldValue
          if i >= count { return }
          let code = Self.push(ports: ports, key: key, index: i, digest: digests[i])
          answers.withLock { $0[i] = code }
          // Spread over about 12 s, so the kills land while pushes arrive.
          Thread_sleep(0.25)
        }
      }
    }
    var takeovers: [Double] = []
    var sentAtKills: [Int] = []
    for _ in 0..<3 {
      Thread_sleep(1.5)
      let live = replicas.withLock { $0.filter { !$0.child.hasExited } }
      guard let leader = live.first(where: { Self.leadership($0)["leading"] == true }) else {
        Issue.record("no leader among \(live.count) replicas")
        continue
      }
      let killedAt = monotonicSeconds()
      sentAtKills.append(sent.load(ordering: .relaxed))
      leader.crash()
      try sim.control("POST", "/_sim/watches/drop")
      // A replacement replica joins (a Deployment would restart the pod).
      let fresh = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, secret: PushbackTests.secret, extraArguments: Self.electionFlags(namespace: "burst"))
      replicas.withLock { $0.append(fresh) }
      let led = eventually(timeout: 20, interval: 0.05) {
        replicas.withLock { $0.filter { !$0.child.hasExited } }.contains { Self.leadership($0)["leading"] == true }
      }
      #expect(led)
      takeovers.append(monotonicSeconds() - killedAt)
    }
    #expect(eventually(timeout: 120) { sent.load(ordering: .relaxed) >= count && answers.withLock { $0.allSatisfy { $0 != 0 } } },
            "answers: \(answers.withLock { a in Dictionary(grouping: a, by: { $0 }).mapValues(\.count) })")
    try sim.control("DELETE", "/_sim/faults")
    #expect(takeovers.allSatisfy { $0 < Self.leaseDuration + 1.5 }, "take-overs after \(takeovers) s")
    #expect(sentAtKills.allSatisfy { $0 < count }, "every kill while pushes were still arriving: \(sentAtKills)")

    let expected = Dictionary(uniqueKeysWithValues: (0..<count).map { ("app-\($0)", digests[$0]) })
    func images() -> [String: String] {
      guard let out = try? sim.kubectl(Kubectl.machine, ["get", "deploy", "-n", "burst", "-o", "json"]), let j = try? JSON.parse(out.stdout) else { return [:] }
      var m: [String: String] = [:]
      for item in j["items"].arrayValue ?? [] {
        if let n = item["metadata"]["name"].stringValue { m[n] = item["spec"]["template"]["spec"]["containers"][0]["image"].stringValue }
      }
      return m
    }
    #expect(eventually(timeout: 180, interval: 1) { let m = images(); return expected.allSatisfy { m[$0.key]?.hasSuffix("@" + $0.value) == true } },
            "\(images().filter { name, image in !image.hasSuffix("@" + (expected[name] ?? "?")) }.count) workloads not patched")
    var patches: [String: Int] = [:]
    for entry in try sim.requestLog() where entry["method"] == "PATCH" && entry["code"].intValue.map({ $0 < 300 }) == true {
      let path = entry["path"].stringValue ?? ""
      if path.hasPrefix("/apis/apps/v1/namespaces/burst/deployments/") { patches[String(path.split(separator: "/").last ?? ""), default: 0] += 1 }
    }
    let wrong = patches.filter { $0.value != 1 }
    #expect(patches.count == count && wrong.isEmpty, "\(patches.count) workloads patched; not exactly once: \(wrong)")
  }
}
