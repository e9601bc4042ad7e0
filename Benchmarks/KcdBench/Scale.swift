import KcdCore
import KubeSim

#if canImport(Glibc)
import Glibc
#endif

/// `kcd-bench scale [--kcds 100,1000,10000] [--skip-wrk] [--kubesim-simulator]`: kcd measured as
/// a user runs it — the release `kcd run` as a child process with default flags against an
/// in-process KubeSim holding N KCDs × 3 Deployments — one report block per scale, each figure
/// next to its SPEC §8 target. Progress goes to stderr; the report to stdout.
/// `--kubesim-simulator` has KubeSim's workload simulator do the rollouts instead of the bench's
/// `RolloutDriver`: a cross-check for small scales (at 1,000 KCDs it lags, its simulated
/// progress deadlines expire, and kcd rightly rolls those rollouts back).
func scale(arguments: [String]) throws {
  var scales = [100, 1000, 10_000]
  var skipWrk = false
  var kubeSimSimulator = false
  var rest = arguments[...]
  while let a = rest.popFirst() {
    switch a {
    case "--kcds":
      guard let list = rest.popFirst().map({ $0.split(separator: ",").compactMap { Int($0) } }), !list.isEmpty, list.allSatisfy({ $0 > 0 }) else {
        throw ScaleError("--kcds takes a comma-separated list of positive numbers, e.g. 100,1000")
      }
      scales = list
    case "--skip-wrk": skipWrk = true
    case "--kubesim-simulator": kubeSimSimulator = true
    default: throw ScaleError("usage: kcd-bench scale [--kcds 100,1000,10000] [--skip-wrk] [--kubesim-simulator]")
    }
  }
  let cleanup = ScaleCleanup.shared
  cleanup.installSignalHandling()
  defer { cleanup.run() }
  guard FileIO.exists(ScaleBinary.kcd) else { throw ScaleError("no kcd binary next to kcd-bench (\(ScaleBinary.kcd)); build with swift build -c release --scratch-path .build-bench") }
  if !skipWrk {
    guard (try? ProcessRunner.run(["sh", "-c", "command -v wrk && command -v nginx"]).status) == 0 else {
      throw ScaleError("wrk or nginx is missing (apt-get install wrk nginx-light), or pass --skip-wrk")
    }
  }
  let root = try benchDirectory("scale")
  let signer = try CallbackSigner()

  print("kcd-bench scale — command: \(CommandLine.arguments.joined(separator: " "))")
  print("kcd under test: \(ScaleBinary.kcd) \(KcdUnderTest.commandLine.dropFirst(4))  (a child process; default QPS, burst, workers and polling)")
  print("API server: KubeSim in the bench process, HTTPS on loopback; \(ScaleCluster.kcdsPerNamespace) KCDs per namespace, each selecting 3 Deployments of 1 replica")
  print(kubeSimSimulator
    ? "rollouts: KubeSim's workload simulator (time scale \(Int(ScaleCluster.timeScale)): ReplicaSets, pods, status)"
    : "rollouts: the bench's driver (per rollout a new ReplicaSet and \"1 of 2 updated\", after \(Int(RolloutDriver.podStartSeconds * 1000)) ms the old ReplicaSet scaled down and the status complete)")
  print("machine: \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores, load average \(ProcStats.loadAverage) at start; targets are SPEC §8's, set at 1,000 KCDs (shown at other scales for comparison)")
  print("")
  flush()

  let empty = try measureEmpty(root: root + "/empty", signer: signer, skipWrk: skipWrk, kubeSimSimulator: kubeSimSimulator)
  printBlock(empty.lines)
  for n in scales {
    do {
      printBlock(try measureScale(n, root: root + "/n\(n)", signer: signer, skipWrk: skipWrk, kubeSimSimulator: kubeSimSimulator, noMatchBaseline: empty.noMatchRate))
    } catch {
      printBlock(["\(ScaleReport.grouped(n)) KCDs: the harness failed: \(error)"])
    }
  }
}

/// A scratch folder for one bench run, removed by the cleanup when it ends.
func benchDirectory(_ name: String) throws -> String {
  let root = "/tmp/kcd-bench-\(name)-\(getpid())"
  try FileIO.mkdir(root)
  ScaleCleanup.shared.adopt(directory: root)
  return root
}

func printBlock(_ lines: [String]) {
  for l in lines { print(l) }
  print("")
  flush()
}

func flush() { fflush(nil) }

/// "RSS with no KCD": kcd against a cluster with the CRD and nothing else, memory read as soon
/// as it is ready.
func measureEmpty(root: String, signer: CallbackSigner, skipWrk: Bool, kubeSimSimulator: Bool) throws -> (lines: [String], noMatchRate: Double?) {
  try FileIO.mkdir(root)
  printError("no KCD: starting KubeSim and kcd")
  let cluster = try ScaleCluster(kcds: 0, kubeSimSimulator: kubeSimSimulator)
  defer { cluster.stop() }
  let kcd = try KcdUnderTest(directory: root, kubeconfig: cluster.sim.kubeconfig(), secret: CallbackSigner.secret)
  defer { kcd.stop() }
  let memory = ProcStats.memory(kcd.pid)
  var lines = ["no KCD (the CRD only)"]
  lines.append(ScaleReport.row("ready after start", ScaleReport.ms(kcd.readySeconds), target: "≤ 1 s", pass: kcd.readySeconds <= 1))
  if let m = memory {
    lines.append(ScaleReport.row("RSS with no KCD, right after ready", "VmRSS \(ScaleReport.mib(kib: m.rss)) (VmHWM \(ScaleReport.mib(kib: m.highWater)), \(m.threads) threads)",
                                 target: "≤ 20 MiB", pass: m.rss <= 20 * 1024))
  }
  guard !skipWrk else { return (lines, nil) }
  printError("no KCD: wrk against kcd and nginx")
  let w = try WrkComparison.run(hooksPort: kcd.hooksPort, signer: signer, directory: root)
  lines += wrkRows(w, label: "no-match callbacks/s vs nginx", baseline: nil)
  return (lines, w.kcd.requestsPerSecond)
}

/// One block: N KCDs and 3N Deployments, figures 1–6 in order.
func measureScale(_ n: Int, root: String, signer: CallbackSigner, skipWrk: Bool, kubeSimSimulator: Bool, noMatchBaseline: Double?) throws -> [String] {
  try FileIO.mkdir(root)
  let title = "\(ScaleReport.grouped(n)) KCDs, \(ScaleReport.grouped(n * ScaleCluster.deploymentsPerKCD)) Deployments"
  printError("\(title): loading KubeSim")
  let loadStart = monotonicSeconds()
  let cluster = try ScaleCluster(kcds: n, kubeSimSimulator: kubeSimSimulator)
  defer { cluster.stop() }
  let loaded = monotonicSeconds() - loadStart
  printError("\(title): loaded in \(ScaleReport.s(loaded)); waiting for every Deployment to be available")
  let availableStart = monotonicSeconds()
  guard cluster.waitUntilAvailable(limit: 600) else { throw ScaleError("the simulator did not make every Deployment available in 600 s") }
  let available = monotonicSeconds() - availableStart

  printError("\(title): every Deployment available after \(ScaleReport.s(monotonicSeconds() - availableStart)); starting kcd")
  cluster.clearRequests()
  let kcd = try KcdUnderTest(directory: root, kubeconfig: cluster.sim.kubeconfig(), secret: CallbackSigner.secret)
  defer { kcd.stop() }
  let startup = Settle.wait(cluster: cluster, pushes: [:], limit: 60)
  let startupRequests = cluster.requests
  let startupWrites = startupRequests.count { !["GET", "HEAD"].contains($0.method) }
  let metricsStart = kcd.metrics()

  var lines = [title + " (load average \(ProcStats.loadAverage) when kcd started)"]
  lines.append(ScaleReport.detail("setup: loaded into KubeSim in \(ScaleReport.s(loaded))"
    + (kubeSimSimulator ? "; KubeSim's simulator had every Deployment available \(ScaleReport.s(available)) later" : ", every Deployment rolled out with its ReplicaSet")))
  lines.append(ScaleReport.detail("kcd's start-up: \(ScaleReport.grouped(startupRequests.count)) API requests (\(ScaleReport.grouped(startupWrites)) writes); "
    + (startup.settled ? "quiet \(ScaleReport.s(startup.seconds)) after ready" : "still busy \(ScaleReport.s(startup.seconds)) after ready")))
  lines.append(ScaleReport.row("1 ready after start", ScaleReport.ms(kcd.readySeconds) + " (exec → /readyz 200)", target: "≤ 1 s", pass: kcd.readySeconds <= 1))

  // 2. Pushes one at a time.
  let pushCount = n > 1000 ? 100 : 200
  printError("\(title): \(pushCount) pushes one at a time")
  cluster.clearRequests()
  let beforePushes = kcd.metrics()
  let one = OneAtATime.run(cluster: cluster, hooksPort: kcd.hooksPort, signer: signer, count: pushCount)
  // The bench sees the last patch in the store a moment before kcd records it and KubeSim logs it.
  usleep(200_000)
  let afterPushes = kcd.metrics()
  let pushRequests = cluster.requests
  lines += reportOneAtATime(one, count: pushCount, before: beforePushes, after: afterPushes, requests: pushRequests)
  let afterOne = Settle.wait(cluster: cluster, pushes: one.latest, limit: 60)
  if !afterOne.settled { lines.append(ScaleReport.detail("note: \(afterOne.unsettled) of those KCDs had not settled \(ScaleReport.s(afterOne.seconds)) later (e.g. \(afterOne.example))")) }

  // 3. Burst.
  let burstCount = min(n, 1000)
  printError("\(title): burst of \(burstCount) pushes")
  cluster.clearRequests()
  let burst = Burst.run(cluster: cluster, hooksPort: kcd.hooksPort, signer: signer, count: burstCount, firstSequence: pushCount)
  lines += reportBurst(burst)
  var everything = one.latest
  for (k, p) in burst.pushes { everything[k] = p }
  printError("\(title): waiting for the burst to settle")
  let settled = Settle.wait(cluster: cluster, pushes: everything, limit: 60)
  lines.append(ScaleReport.detail(settled.settled
    ? "every rollout finished and the API went quiet \(ScaleReport.s(settled.seconds)) after the burst's measurement ended"
    : "not settled \(ScaleReport.s(settled.seconds)) after the burst's measurement ended: \(settled.unsettled) KCDs still rolling out (so 5 and 6 are not idle figures); e.g. \(settled.example)"))

  // 5, 6 before 4: idle and memory describe kcd holding N KCDs, not kcd just after a load test.
  printError("\(title): idle CPU over 20 s")
  let idle = ProcStats.cpu(kcd.pid, over: 20)
  let memory = ProcStats.memory(kcd.pid)
  var wrkLines: [String] = []
  if skipWrk {
    wrkLines.append(ScaleReport.row("4 no-match callbacks/s vs nginx", "skipped (--skip-wrk)", target: "≥ 50 % of nginx", pass: nil))
  } else {
    printError("\(title): wrk against kcd and nginx")
    let w = try WrkComparison.run(hooksPort: kcd.hooksPort, signer: signer, directory: root)
    wrkLines += wrkRows(w, label: "4 no-match callbacks/s vs nginx", baseline: noMatchBaseline)
  }
  lines += wrkLines
  if let idle {
    lines.append(ScaleReport.row("5 idle CPU (20 s)", "\(ScaleReport.fixed(idle.millicores, 1)) millicores (\(idle.ticks) × 10 ms of CPU time)", target: "≤ 1 millicore", pass: idle.millicores <= 1))
  }
  if let m = memory {
    lines.append(ScaleReport.row("6 resident memory after idle", "VmRSS \(ScaleReport.mib(kib: m.rss)) (VmHWM \(ScaleReport.mib(kib: m.highWater)), \(m.threads) threads)",
                                 target: "≤ 64 MiB at 1,000", pass: m.rss <= 64 * 1024))
  }
  let metricsEnd = kcd.metrics()
  let status = kcd.stop()
  let kube = ScaleMetrics.counters("kcd_kube_requests_total", from: metricsStart, to: metricsEnd)
  let failures = kube.filter { !$0.labels.contains("code=\"2") }
  lines.append(ScaleReport.detail("kcd's API requests after start-up: \(ScaleReport.grouped(Int(kube.reduce(0) { $0 + $1.delta }))); not 2xx: "
    + (failures.isEmpty ? "none" : failures.map { "\($0.labels) ×\(Int($0.delta))" }.joined(separator: ", "))))
  lines.append(ScaleReport.detail(kcd.logSummary() + "; exit status \(status)" + (status == 128 + SIGKILL ? " (SIGKILL: it had not stopped 15 s after SIGTERM)" : "")))
  return lines
}
