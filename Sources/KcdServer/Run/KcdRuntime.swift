import KcdController
import KcdCore
import KcdHTTP
import KcdHooks
import KcdKube
import KcdRegistry
import Synchronization

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
    /// The fallback poller (each KCD's pollIntervalSeconds; 0 there turns it off per KCD).
    public var polling = true
    /// Builds the ECR client for ECR hosts.
    public var ecr: (@Sendable (ImageName) throws(RegistryError) -> any RegistryClient)? = nil
    public init() {}
  }

  public let client: KubeClient
  public let controller: Controller
  public let metrics: MetricsRegistry
  public let hooksServer: HTTPServer
  public let apiServer: HTTPServer
  /// Catches pushes whose webhook was lost (nil when polling is off).
  public let poller: FallbackPoller?
  let log: Logger

  public init(connection: KubeConnection, options: Options, log: Logger) throws {
    let metrics = MetricsRegistry()
    ControllerMetrics.register(metrics)
    self.metrics = metrics
    self.log = log
    client = KubeClient(connection: connection, qps: options.kubeQPS, burst: options.kubeBurst) { verb, code in
      metrics.increment(ControllerMetrics.kubeRequests, [verb, code])
    }
    let configured = ConfiguredCredentials(registries: options.config.registries, log: log)
    var registryOptions = OCIRegistryClient.Options()
    registryOptions.insecureRegistries = options.config.registries.filter(\.insecure).map(\.host)
    registryOptions.userAgent = "kcd/\(KcdVersion.current)"
    registryOptions.onRequest = { host, code in metrics.increment(ControllerMetrics.registryRequests, [host, code]) }
    var ecrOptions = ECRClient.Options()
    ecrOptions.userAgent = registryOptions.userAgent
    ecrOptions.onRequest = registryOptions.onRequest
    let ecr = options.ecr ?? ECRClient(options: ecrOptions).factory
    let pullSecretsBox = PullSecretsBox()
    let resolver = RegistryResolver(base: registryOptions, configured: { configured.current() },
                                    pullSecrets: { repository in pullSecretsBox.get()?.credentials(for: repository) ?? RegistryCredentials() },
                                    ecr: ecr)
    var controllerOptions = Controller.Options()
    controllerOptions.resolver = resolver
    controllerOptions.namespaces = options.namespaces
    controllerOptions.workers = options.workers
    controllerOptions.identity = options.identity
    controllerOptions.trustSignedDigests = options.config.trustSignedDigests
    controller = Controller(client: client, metrics: metrics, options: controllerOptions, log: log)
    pullSecretsBox.set(PullSecretCredentials(client: client, controller: controller, log: log))
    apiServer = try HTTPServer(configuration: HTTPServerConfiguration(address: options.apiAddress), handler: APIHandler(controller: controller, metrics: metrics))
    let host = options.apiAddress.hasPrefix(":") ? "127.0.0.1" : String(options.apiAddress.split(separator: ":").dropLast().joined(separator: ":"))
    let controller = self.controller
    let intake = EventIntake(client: client) { controller.kcds }
    poller = options.polling ? FallbackPoller(resolver: resolver, intake: intake, kcds: { controller.kcds }, log: log) : nil
    var hooksConfig = HTTPServerConfiguration(address: options.hooksAddress)
    hooksConfig.maximumBodyBytes = 1 << 20
    hooksServer = try HTTPServer(configuration: hooksConfig, handler: HooksHandler(
      secrets: HookSecrets(directory: options.hooksSecretDirectory), intake: intake, metrics: metrics, log: log,
      aliases: options.config.dealias,
      statusBase: "http://\(host):\(apiServer.port)", isReady: { controller.hasSynced }))
    metrics.set(ControllerMetrics.leader, [], 1)
  }

  public func start() {
    controller.start()
    poller?.start()
    log.info("kcd started", [("hooks", "\(hooksServer.port)"), ("api", "\(apiServer.port)"), ("server", client.connection.server)])
  }

  public func stop() {
    hooksServer.shutdown(grace: 10)
    poller?.stop()
    controller.stop()
    apiServer.shutdown(grace: 2)
  }
}

/// Late binding for the pull-secret reader (it needs the controller, which needs the resolver).
final class PullSecretsBox: Sendable {
  let value = Mutex<PullSecretCredentials?>(nil)
  func set(_ v: PullSecretCredentials) { value.withLock { $0 = v } }
  func get() -> PullSecretCredentials? { value.withLock { $0 } }
}
