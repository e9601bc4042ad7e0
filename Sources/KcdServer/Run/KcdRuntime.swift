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
    /// Ceilings: kcd lowers its rate itself while the API server pushes back (429).
    public var kubeQPS = 1000.0
    public var kubeBurst = 2000
    public var workers = 4
    public var identity = "kcd"
    public var config = KcdConfig()
    /// The fallback poller (each KCD's pollIntervalSeconds; 0 there turns it off per KCD).
    public var polling = true
    /// Leader election over a Lease (nil: this replica always leads; run only one).
    public var leaderElection: LeaderElectionOptions? = nil
    /// No repository is polled more often than this, whatever a KCD's pollIntervalSeconds says.
    public var minimumPollSeconds = FallbackPoller.defaultMinimumInterval
    /// A watch silent this long (no event, no bookmark) is restarted.
    public var watchSilenceSeconds = 180.0
    /// Signs the requests of `kind: Webhook` verification checks (Standard Webhooks); nil: such
    /// checks fail, saying so.
    public var verificationKey: StandardWebhooks.Key? = nil
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
  /// Decides which replica reconciles (nil without leader election).
  public let elector: LeaderElector?
  /// Tells the configured receivers how rollouts end (nil when none is configured).
  public let notifier: Notifier?
  let log: Logger

  public init(connection: KubeConnection, options: Options, log: Logger) throws {
    let metrics = MetricsRegistry()
    ControllerMetrics.register(metrics)
    self.metrics = metrics
    self.log = log
    let kubeCounters = MetricCells(metrics, ControllerMetrics.kubeRequests, expected: ["get", "list", "watch", "create", "update", "patch", "delete"].flatMap { verb in
      ["200", "201", "404", "409", "410", "422", "429", "500", "503", "transport"].map { [verb, $0] }
    })
    let rateGauge = metrics.cell(ControllerMetrics.kubeRateLimit)
    client = KubeClient(connection: connection, qps: options.kubeQPS, burst: options.kubeBurst, identity: options.leaderElection?.config.identity,
                        onRateChange: { rateGauge?.set($0) }) { verb, code in
      kubeCounters.increment([verb, code])
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
                                    pullSecrets: { repository, namespace in
                                      pullSecretsBox.get()?.credentials(for: repository, namespace: namespace) ?? RegistryCredentials()
                                    },
                                    ecr: ecr)
    var controllerOptions = Controller.Options()
    controllerOptions.resolver = resolver
    controllerOptions.verifier = Verifiers(jobs: JobVerifier(client: client, allow: options.config.checks),
                                           webhooks: WebhookVerifier(key: options.verificationKey, allow: options.config.checks),
                                           signatures: SignatureStepVerifier(client: client, signatures: RegistrySignatures(resolver: resolver)))
    controllerOptions.namespaces = options.namespaces
    controllerOptions.workers = options.workers
    controllerOptions.identity = options.identity
    controllerOptions.trustSignedDigests = options.config.trustSignedDigests
    controllerOptions.watchSilenceSeconds = options.watchSilenceSeconds
    controllerOptions.leadsAtStart = options.leaderElection == nil
    controllerOptions.workloadResources = Self.discoverWorkloadResources(client, log: log)
    let notifier = options.config.notifications.receivers.isEmpty ? nil : Notifier(settings: options.config.notifications, metrics: metrics, log: log)
    controllerOptions.notifier = notifier
    self.notifier = notifier
    let controller = Controller(client: client, metrics: metrics, options: controllerOptions, log: log)
    self.controller = controller
    pullSecretsBox.set(PullSecretCredentials(client: client, controller: controller, log: log))
    let client = self.client
    let elector = options.leaderElection.map { election in
      LeaderElector(client: client, namespace: election.namespace, name: election.name, config: election.config, log: log,
                    callbacks: .init(started: { controller.setLeading(true) }, stopped: { controller.setLeading(false) }))
    }
    self.elector = elector
    let identity = options.leaderElection?.config.identity ?? options.identity
    let deliveries = DeliveryLog()
    apiServer = try HTTPServer(configuration: HTTPServerConfiguration(address: options.apiAddress), handler: APIHandler(
      controller: controller, metrics: metrics, client: client, log: log, deliveries: deliveries,
      leadership: { Leadership(identity: identity, leading: controller.isLeading, leader: elector == nil ? identity : elector?.holder) }))
    let host = options.apiAddress.hasPrefix(":") ? "127.0.0.1" : String(options.apiAddress.split(separator: ":").dropLast().joined(separator: ":"))
    let intake = EventIntake(client: client, kcds: controller.kcds, onRecorded: { controller.recorded($0) })
    let poller = options.polling ? FallbackPoller(resolver: resolver, intake: intake, log: log, minimumInterval: options.minimumPollSeconds) : nil
    self.poller = poller
    if let poller {
      controller.observeKCDs { old, new in poller.kcdChanged(old: old, new: new) }
      // Only the leader polls.
      poller.setActive(controller.isLeading)
      controller.observeLeadership { poller.setActive($0) }
    }
    var hooksConfig = HTTPServerConfiguration(address: options.hooksAddress)
    hooksConfig.maximumBodyBytes = 1 << 20
    hooksServer = try HTTPServer(configuration: hooksConfig, handler: HooksHandler(
      secrets: HookSecrets(directory: options.hooksSecretDirectory), sources: HookSourceFactory(oidc: OIDCFetch.verifier(options.config.oidc, log: log)),
      intake: intake, metrics: metrics, log: log,
      aliases: options.config.dealias,
      statusBase: "http://\(host):\(apiServer.port)", readiness: HooksReadiness(synced: { controller.kcdsSynced }, current: { controller.kcdsCurrent }), deliveries: deliveries))
  }

  public func start() {
    notifier?.start()
    controller.start()
    poller?.start()
    elector?.start()
    log.info("kcd started", [("hooks", "\(hooksServer.port)"), ("api", "\(apiServer.port)"), ("server", client.connection.server)])
  }

  /// Graceful shutdown: no new webhooks (those in flight finish, bounded), no new passes
  /// (workers finish the one they are in), then the Lease is released so the next replica
  /// leads at once, then the caches and the API listener go.
  public func stop() {
    hooksServer.shutdown(grace: 5)
    poller?.stop()
    controller.stopWorkers()
    // Outcomes of the last passes still go out (bounded), while the Lease is handed over.
    notifier?.stop(grace: 2)
    elector?.stop(timeout: 2)
    controller.stopCaches()
    apiServer.shutdown(grace: 1)
  }
}

/// Late binding for the pull-secret reader (it needs the controller, which needs the resolver).
final class PullSecretsBox: Sendable {
  let value = Mutex<PullSecretCredentials?>(nil)
  func set(_ v: PullSecretCredentials) { value.withLock { $0 = v } }
  func get() -> PullSecretCredentials? { value.withLock { $0 } }
}

/// `--leader-elect` and its settings: the Lease kcd's replicas share.
public struct LeaderElectionOptions: Sendable {
  public var namespace: String
  public var name = "kcd"
  public var config: LeaderElection.Config

  public init(namespace: String, identity: String) {
    self.namespace = namespace
    config = LeaderElection.Config(identity: identity)
  }
}
