import KcdController
import KcdCore
import KcdHTTP
import KcdHooks
import KcdKube

/// A running kcd: Kubernetes client, controller, hooks and API listeners. `kcd run` and
/// `kcd demo` both start one.
public final class KcdRuntime: Sendable {
  public struct Options: Sendable {
    public var hooksAddress = ":8080"
    public var apiAddress = ":8081"
    public var hooksSecretDirectory = "/etc/kcd/hooks"
    public var namespaces: [String] = []
    public var kubeQPS = 50.0
    public var kubeBurst = 100
    public var workers = 2
    public var identity = "kcd"
    public var config = KcdConfig()
    public init() {}
  }

  public let client: KubeClient
  public let controller: Controller
  public let metrics: MetricsRegistry
  public let hooksServer: HTTPServer
  public let apiServer: HTTPServer
  let log: Logger

  public init(connection: KubeConnection, options: Options, log: Logger) throws {
    let metrics = MetricsRegistry()
    ControllerMetrics.register(metrics)
    self.metrics = metrics
    self.log = log
    client = KubeClient(connection: connection, qps: options.kubeQPS, burst: options.kubeBurst) { verb, code in
      metrics.increment(ControllerMetrics.kubeRequests, [verb, code])
    }
    var controllerOptions = Controller.Options()
    controllerOptions.namespaces = options.namespaces
    controllerOptions.workers = options.workers
    controllerOptions.identity = options.identity
    controllerOptions.trustSignedDigests = options.config.trustSignedDigests
    controller = Controller(client: client, metrics: metrics, options: controllerOptions, log: log)
    apiServer = try HTTPServer(configuration: HTTPServerConfiguration(address: options.apiAddress), handler: APIHandler(controller: controller, metrics: metrics))
    let host = options.apiAddress.hasPrefix(":") ? "127.0.0.1" : String(options.apiAddress.split(separator: ":").dropLast().joined(separator: ":"))
    let controller = self.controller
    let intake = EventIntake(client: client) { controller.kcds }
    var hooksConfig = HTTPServerConfiguration(address: options.hooksAddress)
    hooksConfig.maximumBodyBytes = 1 << 20
    hooksServer = try HTTPServer(configuration: hooksConfig, handler: HooksHandler(
      secrets: HookSecrets(directory: options.hooksSecretDirectory), intake: intake, metrics: metrics, log: log,
      aliases: options.config.dealias,
      statusBase: "http://\(host):\(apiServer.port)"))
    metrics.set(ControllerMetrics.leader, [], 1)
  }

  public func start() {
    controller.start()
    log.info("kcd started", [("hooks", "\(hooksServer.port)"), ("api", "\(apiServer.port)"), ("server", client.connection.server)])
  }

  public func stop() {
    hooksServer.shutdown(grace: 10)
    controller.stop()
    apiServer.shutdown(grace: 2)
  }
}
