import KcdCore
import KcdJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `kcd-bench failover [--kcds 100]`: two `kcd run --leader-elect` replicas with the shipped
/// election settings (lease 15 s, renew deadline 10 s, retry 2 s) against an in-process KubeSim
/// with N KCDs × 3 Deployments. While the leader is stopped — by SIGTERM (it releases the Lease)
/// and by SIGKILL (the Lease must expire) — pushes go to the other replica's hooks ten times a
/// second. Reported: signal → the other replica leads; the hooks' answers meanwhile; and push →
/// patch for those pushes (they wait for the new leader).
func failover(arguments: [String]) throws {
  var n = 100
  var rest = arguments[...]
  while let a = rest.popFirst() {
    switch a {
    case "--kcds":
      guard let v = rest.popFirst().flatMap({ Int($0) }), v > 0 else { throw ScaleError("--kcds takes a positive number") }
      n = v
    default: throw ScaleError("usage: kcd-bench failover [--kcds 100]")
    }
  }
  let cleanup = ScaleCleanup.shared
  cleanup.installSignalHandling()
  defer { cleanup.run() }
  guard FileIO.exists(ScaleBinary.kcd) else { throw ScaleError("no kcd binary next to kcd-bench (\(ScaleBinary.kcd))") }
  let root = try benchDirectory("failover")
  let signer = try CallbackSigner()
  print("kcd-bench failover — command: \(CommandLine.arguments.joined(separator: " "))")
  print("replicas: 2 × kcd run --leader-elect --leader-election-namespace \(ScaleCluster.namespace(0)) (default lease 15 s, renew deadline 10 s, retry period 2 s; otherwise default flags)")
  print("API server: KubeSim in the bench process, HTTPS on loopback; \(ScaleReport.grouped(n)) KCDs × 3 Deployments")
  print("machine: \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores, load average \(ProcStats.loadAverage) at start")
  print("")
  flush()
  let cluster = try ScaleCluster(kcds: n, kubeSimSimulator: false)
  defer { cluster.stop() }
  guard cluster.waitUntilAvailable(limit: 600) else { throw ScaleError("the Deployments did not become available") }
  var order = Array(0..<n).shuffled()
  var sequence = 0
  for (round, signal) in [("SIGTERM (graceful: the Lease is released)", SIGTERM), ("SIGKILL (a crash: the Lease must expire)", SIGKILL)].enumerated().map({ ($0.offset, $0.element) }) {
    try FileIO.mkdir(root + "/r\(round)a")
    try FileIO.mkdir(root + "/r\(round)b")
    let flags = ["--leader-elect", "--leader-election-namespace", ScaleCluster.namespace(0), "--leader-election-id", "kcd-bench-\(round)"]
    let a = try KcdUnderTest(directory: root + "/r\(round)a", kubeconfig: cluster.sim.kubeconfig(), secret: CallbackSigner.secret, extraArguments: flags)
    defer { a.stop() }
    guard waitLeading(a, timeout: 30) else { throw ScaleError("the first replica never led") }
    let b = try KcdUnderTest(directory: root + "/r\(round)b", kubeconfig: cluster.sim.kubeconfig(), secret: CallbackSigner.secret, extraArguments: flags)
    defer { b.stop() }
    usleep(3_000_000)
    let pushes = Pushes()
    let pusher = PusherState()
    spawnPusher(port: b.hooksPort, signer: signer, cluster: cluster, order: order, sequence: sequence, pushes: pushes, state: pusher)
    usleep(1_000_000)
    printError("failover: stopping the leader with \(signal.1 == SIGTERM ? "SIGTERM" : "SIGKILL")")
    let stopped = monotonicSeconds()
    kill(-a.pid, signal.1)
    let led = waitLeading(b, timeout: 60) ? monotonicSeconds() - stopped : nil
    let exitedAfter = a.child.wait(timeout: 15) ? monotonicSeconds() - stopped : nil
    usleep(2_000_000)
    pusher.running.store(false, ordering: .relaxed)
    while !pusher.finished.load(ordering: .relaxed) { usleep(10_000) }
    let outcome = pushes.wait(cluster: cluster, limit: 60)
    sequence += pushes.count
    order = order.shuffled()
    print("leader stopped with \(signal.0)")
    print(ScaleReport.row("  signal → the other replica leads", led.map(ScaleReport.s) ?? "never (60 s)",
                          target: signal.1 == SIGTERM ? "≤ 2 s (released)" : "≤ lease 15 s + retry 2 s", pass: led.map { $0 <= (signal.1 == SIGTERM ? 2 : 17.4) }))
    if signal.1 == SIGTERM { print(ScaleReport.detail("the stopped replica exited after \(exitedAfter.map(ScaleReport.s) ?? "more than 15 s")")) }
    print(ScaleReport.row("  hooks on the other replica meanwhile", "answers \(ScaleReport.codes(pushes.codes)); p50 \(ScaleReport.ms(ScaleReport.percentile(pushes.answerTimes, 0.5))), max \(ScaleReport.ms(pushes.answerTimes.max() ?? 0))",
                          target: "every push 202", pass: pushes.codes.keys.allSatisfy { $0 == 202 }))
    print(ScaleReport.row("  push → patch for those pushes", "p50 \(ScaleReport.s(ScaleReport.percentile(outcome, 0.5))), max \(ScaleReport.s(outcome.max() ?? 0)) (\(outcome.count) of \(pushes.count) patched)",
                          target: "all patched", pass: outcome.count == pushes.count))
    print("")
    flush()
  }
}

func waitLeading(_ kcd: KcdUnderTest, timeout: Double) -> Bool {
  let deadline = monotonicSeconds() + timeout
  while monotonicSeconds() < deadline {
    if let r = LoopbackConnection.get(port: kcd.apiPort, path: "/api/v1/leader", timeout: 1), let j = try? JSON.parse(String(decoding: r.body, as: UTF8.self)),
       j["leading"] == true { return true }
    usleep(5_000)
  }
  return false
}

/// What the pusher sent and how the hooks answered.
final class Pushes: @unchecked Sendable {
  let lock = Mutex<(sent: [(push: Push, wall: Double)], codes: [Int: Int], answers: [Double])>(([], [:], []))
  var count: Int { lock.withLock { $0.sent.count } }
  var codes: [Int: Int] { lock.withLock { $0.codes } }
  var answerTimes: [Double] { lock.withLock { $0.answers } }

  func record(_ push: Push, wall: Double, code: Int, seconds: Double) {
    lock.withLock { s in
      s.codes[code, default: 0] += 1
      s.answers.append(seconds)
      if code == 202 { s.sent.append((push, wall)) }
    }
  }

  /// Waits until every accepted push's Deployments carry its image; returns send → last patch per push.
  func wait(cluster: ScaleCluster, limit: Double) -> [Double] {
    let sent = lock.withLock { $0.sent }
    let deadline = monotonicSeconds() + limit
    while monotonicSeconds() < deadline && !sent.allSatisfy({ cluster.isSettled($0.push.kcd, on: $0.push.pinnedImage) }) { usleep(20_000) }
    let patches = PatchLog(cluster)
    return sent.compactMap { s in
      let ns = cluster.namespace(of: s.push.kcd)
      let each = cluster.deploymentNames(of: s.push.kcd).compactMap { patches.firstPatch(namespace: ns, deployment: $0, after: s.wall) }
      return each.count == ScaleCluster.deploymentsPerKCD ? each.max() : nil
    }
  }
}

final class PusherState: Sendable {
  let running = Atomic<Bool>(true)
  let finished = Atomic<Bool>(false)
}

/// Ten pushes a second to distinct KCDs until `state.running` turns false.
func spawnPusher(port: Int, signer: CallbackSigner, cluster: ScaleCluster, order: [Int], sequence: Int, pushes: Pushes, state: PusherState) {
  let box = PusherInput(order: order, sequence: sequence, signer: signer, cluster: cluster)
  Threads.spawn {
    var k = 0
    while state.running.load(ordering: .relaxed) && k < box.order.count {
      let push = Push(kcd: box.order[k], sequence: box.sequence + k)
      k += 1
      box.cluster.expect(push)
      let wall = Timestamps.now()
      let start = monotonicSeconds()
      var code = -1
      if let c = try? LoopbackConnection(port: port, timeout: 10) { code = (try? c.exchange(push.request(box.signer, close: true)).status) ?? -1 }
      pushes.record(push, wall: wall, code: code, seconds: monotonicSeconds() - start)
      usleep(100_000)
    }
    state.finished.store(true, ordering: .relaxed)
  }
}

struct PusherInput: @unchecked Sendable {
  let order: [Int]
  let sequence: Int
  let signer: CallbackSigner
  let cluster: ScaleCluster
}
