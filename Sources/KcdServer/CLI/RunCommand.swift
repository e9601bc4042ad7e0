import KcdCore
import KcdKube

/// `kcd run`: the controller, the hooks listener and the API listener.
enum RunCommand {
  static let usage = """
    Usage: kcd run [--kubeconfig F] [--context C] [--namespace N]... [--hooks-addr :8080] [--api-addr :8081]
                   [--hooks-secret-dir /etc/kcd/hooks] [--kube-qps 50] [--kube-burst 100] [--workers 2]
                   [--log-format json|text]

    Watches KCD resources, takes image events on the hooks listener (POST /hooks/<source>), records
    them on the matching KCDs and rolls the selected workloads out, pinned by digest. A file named
    after a source in --hooks-secret-dir enables that source (ci: a Standard Webhooks key).
    Without --kubeconfig it uses KUBECONFIG, ~/.kube/config, or the in-cluster service account.
    """

  static let command = Command(name: "run", summary: "run the controller and its webhook and API listeners", usage: usage) { args in
    let a = try Arguments(args, valueFlags: [
      "kubeconfig", "context", "namespace", "hooks-addr", "api-addr", "hooks-secret-dir", "kube-qps", "kube-burst", "workers", "log-format", "config",
    ], switchFlags: ["leader-elect"])
    guard a.positionals.isEmpty else { throw UsageError("unexpected argument \(a.positionals[0])") }
    if a.has("leader-elect") { throw UsageError("--leader-elect is not available in this version; run one replica") }
    if a.value("config") != nil { throw UsageError("--config is not available in this version") }
    let format = Logger.Format(rawValue: a.value("log-format") ?? "json")
    guard let format else { throw UsageError("--log-format must be json or text") }
    let log = Logger(format: format)
    var options = KcdRuntime.Options()
    options.hooksAddress = a.value("hooks-addr") ?? options.hooksAddress
    options.apiAddress = a.value("api-addr") ?? options.apiAddress
    options.hooksSecretDirectory = a.value("hooks-secret-dir") ?? options.hooksSecretDirectory
    options.namespaces = a.all("namespace")
    if let q = try a.double("kube-qps") { options.kubeQPS = q }
    if let b = try a.int("kube-burst") { guard b > 0 else { throw UsageError("--kube-burst must be positive") }; options.kubeBurst = b }
    if let w = try a.int("workers") { guard w > 0 else { throw UsageError("--workers must be positive") }; options.workers = w }
    options.identity = Environment.value("HOSTNAME") ?? "kcd"
    let connection = try KubeConfigLoader.load(kubeconfig: a.value("kubeconfig"), context: a.value("context"))
    let runtime = try KcdRuntime(connection: connection, options: options, log: log)
    runtime.start()
    Console.out("kcd listening: hooks on :\(runtime.hooksServer.port), API on :\(runtime.apiServer.port)")
    let signal = Signals.waitForTermination()
    log.info("shutting down", [("signal", String(signal))])
    runtime.stop()
    return 0
  }
}
