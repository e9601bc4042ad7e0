import KcdCore

#if canImport(Glibc)
import Glibc
#endif

/// `kcd-bench uploads [--connections 1000]`: the memory an unauthenticated-body attack can make
/// kcd hold. N connections each announce a 1 MiB webhook body (Distribution's source, admitted
/// from its `Authorization` header: what reaches the body reader) and send all of it but the
/// last byte, holding the request open; kcd's resident memory is read while they hold, and a
/// signed CI callback from another peer must still be taken (202). Twice: every connection from
/// one address, then spread over 100 addresses. The release `kcd run` with default flags, as in
/// `scale`; the target is RSS under 128 MiB.
func uploads(arguments: [String]) throws {
  var connections = 1000
  var rest = arguments[...]
  while let a = rest.popFirst() {
    switch a {
    case "--connections":
      guard let n = rest.popFirst().flatMap({ Int($0) }), n > 0 else { throw ScaleError("--connections takes a positive number") }
      connections = n
    default: throw ScaleError("usage: kcd-bench uploads [--connections 1000]")
    }
  }
  var limit = rlimit()
  getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
  limit.rlim_cur = limit.rlim_max
  setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
  let cleanup = ScaleCleanup.shared
  cleanup.installSignalHandling()
  defer { cleanup.run() }
  guard FileIO.exists(ScaleBinary.kcd) else { throw ScaleError("no kcd binary next to kcd-bench (\(ScaleBinary.kcd))") }
  let root = try benchDirectory("uploads")
  print("kcd-bench uploads — command: \(CommandLine.arguments.joined(separator: " "))")
  print("kcd under test: \(ScaleBinary.kcd) run (default flags; the hooks listener's limits as shipped)")
  print("attack: \(ScaleReport.grouped(connections)) connections, each a 1 MiB POST /hooks/distribution with a valid token, all of the body but its last byte sent and held")
  print("machine: 2 cores, load average \(ProcStats.loadAverage) at start\n")
  for (label, peers) in [("one peer", 1), ("100 peers", 100)] {
    for line in try uploadRound(root: root + "/\(peers)", connections: connections, peers: peers, label: label) { print(line) }
    print("")
    flush()
  }
}

/// One round against a fresh kcd: the figures as report lines.
func uploadRound(root: String, connections: Int, peers: Int, label: String) throws -> [String] {
  try FileIO.mkdir(root)
  printError("uploads, \(label): starting KubeSim and kcd")
  let cluster = try ScaleCluster(kcds: 1, kubeSimSimulator: false)
  defer { cluster.stop() }
  guard cluster.waitUntilAvailable(limit: 60) else { throw ScaleError("the Deployments did not become available") }
  let kcd = try KcdUnderTest(directory: root, kubeconfig: cluster.sim.kubeconfig(), secret: CallbackSigner.secret,
                             otherSecrets: ["distribution": "bench-dist-token"])
  defer { kcd.stop() }
  guard let before = ProcStats.memory(kcd.pid) else { throw ScaleError("cannot read kcd's memory") }
  printError("uploads, \(label): \(connections) uploads")
  let head = Array(("POST /hooks/distribution HTTP/1.1\r\nHost: kcd\r\nAuthorization: Bearer bench-dist-token\r\n"
    + "Content-Type: application/json\r\nContent-Length: \(1 << 20)\r\n\r\n").utf8)
  let body = [UInt8](repeating: UInt8(ascii: " "), count: (1 << 20) - 1)
  var open: [LoopbackConnection] = []
  var connectFailures = 0
  let started = monotonicSeconds()
  for i in 0..<connections {
    let source = peers == 1 ? "127.0.0.1" : "127.0.1.\(1 + i % peers)"
    guard let c = try? LoopbackConnection(port: kcd.hooksPort, timeout: 2, from: source) else { connectFailures += 1; continue }
    c.setSendTimeout(2)
    // A refused upload is answered and closed at once: its send fails, which is the point.
    try? c.send(head)
    try? c.send(body)
    open.append(c)
  }
  let sendSeconds = monotonicSeconds() - started
  usleep(500_000)
  let during = ProcStats.memory(kcd.pid)
  // What each connection was told: 503 at once (refused before its body was read), or nothing
  // yet (held: its body is being read).
  var statuses: [Int: Int] = [:]
  var held = 0
  for c in open {
    c.setReadTimeout(0.001)
    if let r = try? c.readResponse() { statuses[r.status, default: 0] += 1 } else { held += 1 }
  }
  // A signed callback from a peer that is not attacking.
  let signer = try CallbackSigner()
  let push = Push(kcd: 0, sequence: 1)
  let callback = try LoopbackConnection(port: kcd.hooksPort, timeout: 10, from: "127.0.0.2")
  let answer = try callback.exchange(push.request(signer))
  let afterCallback = ProcStats.memory(kcd.pid)
  open.removeAll()
  usleep(1_000_000)
  let after = ProcStats.memory(kcd.pid)
  let alive = !kcd.child.hasExited

  let peak = [during, afterCallback].compactMap { $0 }.map(\.highWater).max() ?? 0
  let told = statuses.sorted { $0.key < $1.key }.map { "\(ScaleReport.grouped($0.value)) × \($0.key)" }.joined(separator: ", ")
  return [
    "\(ScaleReport.grouped(connections)) × 1 MiB uploads from \(label) (sent in \(ScaleReport.s(sendSeconds)); connect failures \(connectFailures))",
    ScaleReport.row("RSS before", "VmRSS \(ScaleReport.mib(kib: before.rss))", target: "-", pass: nil),
    ScaleReport.row("RSS while they hold (peak)", "VmHWM \(ScaleReport.mib(kib: peak)), VmRSS \(ScaleReport.mib(kib: during?.rss ?? 0))",
                    target: "≤ 128 MiB", pass: peak <= 128 * 1024),
    ScaleReport.row("answers while they hold", "\(told.isEmpty ? "none" : told); \(ScaleReport.grouped(held)) held (body being read)", target: "503 past the budget", pass: (statuses[503] ?? 0) > 0),
    ScaleReport.row("signed callback from another peer", "\(answer.status)", target: "202", pass: answer.status == 202),
    ScaleReport.row("RSS after they close", "VmRSS \(ScaleReport.mib(kib: after?.rss ?? 0)); kcd \(alive ? "running" : "exited")", target: "kcd running", pass: alive),
  ]
}
