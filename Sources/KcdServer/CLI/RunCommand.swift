import KcdCore
import KcdKube

#if canImport(Glibc)
import Glibc
#endif

/// `kcd run`: the controller, the hooks listener and the API listener.
enum RunCommand {
  static let usage = """
    Usage: kcd run [--kubeconfig F] [--context C] [--namespace N]... [--hooks-addr :8080] [--api-addr :8081]
                   [--hooks-secret-dir /etc/kcd/hooks] [--kube-qps 1000] [--kube-burst 2000] [--workers 4]
                   [--log-format json|text] [--config FILE] [--watch-silence-seconds 180]
                   [--min-poll-seconds 30] [--leader-elect] [--leader-election-namespace NS]
                   [--leader-election-id kcd] [--leader-election-lease-duration 15]
                   [--leader-election-renew-deadline 10] [--leader-election-retry-period 2]
                   [--verification-key-file F]

    Watches KCD resources, takes image events on the hooks listener (POST /hooks/<source>), records
    them on the matching KCDs and rolls the selected workloads out, pinned by digest. A file named
    after a source in --hooks-secret-dir enables that source (ci: a Standard Webhooks key).
    Without --kubeconfig it uses KUBECONFIG, ~/.kube/config, or the in-cluster service account.
    Every flag can also come from the environment: --hooks-addr from KCD_HOOKS_ADDR, and so on
    (--namespace from a comma-separated KCD_NAMESPACE). --config names a YAML or JSON file with
    registries (credentials, plain-HTTP hosts), repository aliases, trustSignedDigests, and
    notifications of rollout outcomes with the dashboardURL they link to (docs/notifications.md).
    --kube-qps and --kube-burst are ceilings: kcd halves its rate while the API server answers
    429 and climbs back as requests succeed. A cache whose watch sends nothing (not even a
    bookmark) for --watch-silence-seconds is relisted. The fallback poller looks a repository up
    no more often than every --min-poll-seconds, whatever a KCD's pollIntervalSeconds asks.
    --leader-elect: several replicas share a coordination.k8s.io/v1 Lease (named by
    --leader-election-id, in --leader-election-namespace, default the pod's own namespace);
    every replica serves hooks and the API, only the leader reconciles and polls. Without it
    run one replica. --verification-key-file holds the Standard Webhooks key (whsec_…) kcd signs
    the requests of spec.verify Webhook checks with (read at start).
    """

  static let command = Command(name: "run", summary: "run the controller and its webhook and API listeners", usage: usage) { args in
    let a = try Arguments(args, valueFlags: [
      "kubeconfig", "context", "namespace", "hooks-addr", "api-addr", "hooks-secret-dir", "kube-qps", "kube-burst", "workers", "log-format", "config",
      "watch-silence-seconds", "min-poll-seconds", "leader-election-namespace", "leader-election-id", "leader-election-lease-duration",
      "leader-election-renew-deadline", "leader-election-retry-period", "verification-key-file",
    ], switchFlags: ["leader-elect"])
    guard a.positionals.isEmpty else { throw UsageError("unexpected argument \(a.positionals[0])") }
    /// A flag, else its `KCD_*` environment variable (`--hooks-addr` → `KCD_HOOKS_ADDR`).
    func setting(_ name: String) -> String? {
      a.value(name) ?? Environment.value("KCD_" + String(name.uppercased().map { $0 == "-" ? "_" : $0 }))
    }
    let format = Logger.Format(rawValue: setting("log-format") ?? "json")
    guard let format else { throw UsageError("--log-format must be json or text") }
    let log = Logger(format: format)
    var options = KcdRuntime.Options()
    options.hooksAddress = setting("hooks-addr") ?? options.hooksAddress
    options.apiAddress = setting("api-addr") ?? options.apiAddress
    options.hooksSecretDirectory = setting("hooks-secret-dir") ?? options.hooksSecretDirectory
    options.namespaces = a.all("namespace").isEmpty ? (setting("namespace")?.split(separator: ",").map(String.init) ?? []) : a.all("namespace")
    if let path = setting("config") { options.config = try KcdConfig.load(path) }
    func number(_ name: String) throws(UsageError) -> Double? {
      guard let v = setting(name) else { return nil }
      guard let d = Double(v), d.isFinite, d >= 0, d <= 1_000_000 else { throw UsageError("--\(name) must be a number from 0 to 1000000, got \"\(v)\"") }
      return d
    }
    if let q = try number("kube-qps") { options.kubeQPS = q }
    if let b = try number("kube-burst") { guard b >= 1 else { throw UsageError("--kube-burst must be positive") }; options.kubeBurst = Int(b) }
    if let w = try number("workers") { guard w >= 1 else { throw UsageError("--workers must be positive") }; options.workers = Int(w) }
    if let s = try number("watch-silence-seconds") { guard s >= 1 else { throw UsageError("--watch-silence-seconds must be at least 1") }; options.watchSilenceSeconds = s }
    if let m = try number("min-poll-seconds") { guard m >= 1 else { throw UsageError("--min-poll-seconds must be at least 1") }; options.minimumPollSeconds = Int(m) }
    options.identity = Environment.value("HOSTNAME") ?? "kcd"
    if let path = setting("verification-key-file") { options.verificationKey = try HooksCommand.keys(path).first }
    if a.has("leader-elect") || ["1", "true"].contains(setting("leader-elect")?.lowercased() ?? "") {
      // Unique per process: the pod name, or the host and the process id.
      var election = LeaderElectionOptions(namespace: setting("leader-election-namespace") ?? KubeConfigLoader.podNamespace() ?? "default",
                                           identity: "\(options.identity)_\(getpid())")
      if let id = setting("leader-election-id") { election.name = id }
      if let d = try number("leader-election-lease-duration") { election.config.leaseDuration = d }
      if let d = try number("leader-election-renew-deadline") { election.config.renewDeadline = d }
      if let d = try number("leader-election-retry-period") { election.config.retryPeriod = d }
      if let problem = election.config.problem { throw UsageError("--leader-elect: \(problem)") }
      options.leaderElection = election
    }
    let connection = try KubeConfigLoader.load(kubeconfig: setting("kubeconfig"), context: setting("context"))
    let runtime = try KcdRuntime(connection: connection, options: options, log: log)
    runtime.start()
    Console.out("kcd listening: hooks on :\(runtime.hooksServer.port), API on :\(runtime.apiServer.port)")
    let signal = Signals.waitForTermination()
    log.info("shutting down", [("signal", String(signal))])
    runtime.stop()
    return 0
  }
}
