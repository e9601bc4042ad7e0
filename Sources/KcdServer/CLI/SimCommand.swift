import KcdCore
import KcdJSON
import KubeSim

#if canImport(Glibc)
import Glibc
#endif

/// `kcd sim`: the simulated Kubernetes API server, for trying kcd and for tests.
enum SimCommand {
  static let usage = """
    Usage: kcd sim [--listen 127.0.0.1:6443] [--kubeconfig-out FILE] [--token T]
                   [--time-scale 10] [--pod-start-seconds 3] [--nodes 3] [--server-version 1.30]
                   [--history-limit 10000] [--bookmark-interval 1] [--watch-timeout 1800]
                   [--fault verb=patch,resource=deployments,code=500,rate=0.1[,count=N][,retryAfter=S]]...
                   [--latency SECONDS] [--watch-fault none|split|pack|stall] [--serve-batch-v1beta1]
                   [--plain-http] [--allow-anonymous]

    Serves a simulated Kubernetes API (discovery, core, apps, batch, coordination, events,
    CRDs, TokenReview, SubjectAccessReview) with a workload simulator that rolls out
    Deployments, StatefulSets, DaemonSets, Jobs and CronJobs over simulated time.
    It serves HTTPS with a certificate from a CA made at start; the kubeconfig carries that CA
    (kubectl sends credentials only over TLS). --plain-http serves HTTP instead (for a TLS proxy
    in front); --allow-anonymous accepts requests without credentials. Port 0 picks a free port; the kubeconfig written by --kubeconfig-out says which.
    Images whose reference contains fail-progress, crashloop or pull-error fail on purpose.
    Runs until interrupted (SIGINT/SIGTERM).
    """

  static let command = Command(name: "sim", summary: "run the simulated Kubernetes API (KubeSim)", usage: usage) { args in
    let a = try Arguments(args, valueFlags: [
      "listen", "kubeconfig-out", "token", "time-scale", "pod-start-seconds", "nodes", "server-version", "history-limit",
      "bookmark-interval", "watch-timeout", "fault", "latency", "watch-fault",
    ], switchFlags: ["serve-batch-v1beta1", "plain-http", "allow-anonymous"])
    guard a.positionals.isEmpty else { throw UsageError("unexpected argument \(a.positionals[0])") }
    var options = KubeSim.Options(token: a.value("token") ?? KubeSim.randomToken())
    options.listen = a.value("listen") ?? "127.0.0.1:6443"
    if let s = try a.double("time-scale") { guard s > 0 else { throw UsageError("--time-scale must be positive") }; options.simulator.timeScale = s }
    if let s = try a.double("pod-start-seconds") { options.simulator.podStartSeconds = max(0, s) }
    if let n = try a.int("nodes") { guard n > 0 else { throw UsageError("--nodes must be positive") }; options.simulator.nodes = n }
    if let n = try a.int("history-limit") { guard n > 0 else { throw UsageError("--history-limit must be positive") }; options.historyLimit = n }
    if let v = a.value("server-version") {
      let parts = v.split(separator: ".")
      guard parts.count == 2, parts[0] == "1", Int(parts[1]) != nil else { throw UsageError("--server-version must look like 1.30") }
      options.serverMinorVersion = String(parts[1])
    }
    options.serveV1beta1CronJobs = a.has("serve-batch-v1beta1")
    options.tls = !a.has("plain-http")
    options.allowAnonymous = a.has("allow-anonymous")
    let faults = try a.all("fault").map(parseFault)
    let watchFault: WatchFault?
    if let w = a.value("watch-fault") {
      guard let f = WatchFault(rawValue: w) else { throw UsageError("--watch-fault must be none, split, pack or stall") }
      watchFault = f
    } else {
      watchFault = nil
    }
    let sim = try KubeSim(options: options)
    for f in faults { sim.api.faults.add(f) }
    if let l = try a.double("latency") { sim.api.faults.latencySeconds = l }
    if let w = watchFault { sim.api.faults.watchFault = w }
    if let b = try a.double("bookmark-interval") { sim.api.bookmarkInterval = b }
    if let t = try a.double("watch-timeout") { sim.api.maximumWatchTimeout = t }
    if let path = a.value("kubeconfig-out") { try FileIO.write(sim.kubeconfig(), to: path) }
    Console.out("KubeSim serving on \(sim.url)" + (a.value("kubeconfig-out").map { " (kubeconfig: \($0))" } ?? ""))
    _ = Signals.waitForTermination()
    sim.stop()
    return 0
  }

  /// `verb=patch,resource=deployments,code=500,rate=0.1,count=3,retryAfter=1`
  static func parseFault(_ text: String) throws(UsageError) -> FaultRule {
    var rule = FaultRule(code: 500)
    var sawCode = false
    for part in text.split(separator: ",") {
      let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
      guard kv.count == 2 else { throw UsageError("--fault: expected key=value, got \"\(part)\"") }
      switch kv[0] {
      case "verb": rule.verb = kv[1]
      case "resource": rule.resource = kv[1]
      case "namespace": rule.namespace = kv[1]
      case "name": rule.name = kv[1]
      case "code":
        guard let c = Int(kv[1]), [403, 404, 409, 429, 500, 502, 503, 504].contains(c) else {
          throw UsageError("--fault: code must be 403, 404, 409, 429, 500, 502, 503 or 504")
        }
        rule.code = c
        sawCode = true
      case "rate":
        guard let r = Double(kv[1]), r >= 0, r <= 1 else { throw UsageError("--fault: rate must be between 0 and 1") }
        rule.rate = r
      case "count":
        guard let c = Int(kv[1]), c > 0 else { throw UsageError("--fault: count must be positive") }
        rule.count = c
      case "retryAfter":
        guard let s = Int(kv[1]), s >= 0 else { throw UsageError("--fault: retryAfter must be whole seconds") }
        rule.retryAfterSeconds = s
      case "status": rule.statusBody = kv[1] == "json"
      default: throw UsageError("--fault: unknown key \(kv[0])")
      }
    }
    guard sawCode else { throw UsageError("--fault needs code=…") }
    return rule
  }
}
