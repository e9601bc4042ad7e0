import KcdCore
import KcdJSON
import KcdKube
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The reconciling side of kcd: informers on KCDs and Deployments, a work queue keyed by KCD,
/// and worker threads running the Reconciler. Deployment changes wake the KCDs that select them.
public final class Controller: Sendable {
  public struct Options: Sendable {
    /// Namespaces to watch; empty = all.
    public var namespaces: [String] = []
    public var workers = 2
    public var identity = "kcd"
    /// Every KCD is looked at again this often, whatever the watches said (a safety net).
    public var resyncSeconds = 300.0
    /// Registry look-ups (confirming events, polling); nil: signed CI digests only.
    public var resolver: (any ImageResolver)? = nil
    public var trustSignedDigests = true
    public init() {}
  }

  public let client: KubeClient
  public let metrics: MetricsRegistry
  let options: Options
  let log: Logger
  let queue = WorkQueue()
  let events: EventRecorder
  let kcdInformers: [Informer]
  let deploymentInformers: [Informer]
  let running = Atomic<Int>(0)

  public init(client: KubeClient, metrics: MetricsRegistry, options: Options = Options(), log: Logger) {
    self.client = client
    self.metrics = metrics
    self.options = options
    self.log = log
    self.events = EventRecorder(client: client, host: options.identity, onError: { message in log.warn("cannot record event", [("error", message)]) })
    let scopes: [String?] = options.namespaces.isEmpty ? [nil] : options.namespaces.map { $0 }
    let queue = self.queue
    kcdInformers = scopes.map { ns in
      Informer(client: client, resource: .kcds, options: Informer.Options(namespace: ns)) { change in
        switch change {
        case .upsert(_, let new): queue.add(Informer.key(new))
        case .delete: break
        }
      }
    }
    let kcdInformers = self.kcdInformers
    deploymentInformers = scopes.map { ns in
      Informer(client: client, resource: .deployments, options: Informer.Options(namespace: ns)) { change in
        // A Deployment moved: wake the KCDs with a rollout in flight in its namespace.
        let d: JSON
        switch change {
        case .upsert(_, let new): d = new
        case .delete(let old): d = old
        }
        let namespace = d.namespace
        let labels = (d["metadata"]["labels"].objectValue ?? [:]).compactMapValues(\.stringValue)
        for informer in kcdInformers {
          for kcd in informer.objects where kcd.namespace == namespace && kcd["status"]["currStatus"] == "Progressing" {
            // Only the KCDs whose rollout includes this Deployment.
            let names = (kcd["status"]["rollout"]["workloads"].arrayValue ?? []).compactMap { $0["name"].stringValue }
            if names.contains(d.name) || (names.isEmpty && KCDSpec.parse(kcd).spec?.selects(labels) == true) { queue.add(Informer.key(kcd)) }
          }
        }
      }
    }
  }

  /// Every KCD in the caches (intake matches events against these).
  public var kcds: [JSON] { kcdInformers.flatMap(\.objects) }

  public var hasSynced: Bool { (kcdInformers + deploymentInformers).allSatisfy(\.hasSynced) }

  /// Deployments of a namespace as the informers see them.
  public func deploymentsCache(namespace: String) -> [JSON] {
    deploymentInformers.flatMap(\.objects).filter { $0.namespace == namespace }
  }

  public func deployment(namespace: String, name: String) -> JSON? {
    for i in deploymentInformers { if let d = i.get(namespace: namespace, name: name) { return d } }
    return nil
  }

  /// Starts the informers and workers; a Deployment change wakes the KCDs whose selector matches it.
  public func start() {
    for informer in kcdInformers { informer.start() }
    for informer in deploymentInformers { informer.start() }
    Threads.spawn { [self] in resync() }
    for _ in 0..<max(1, options.workers) {
      running.wrappingAdd(1, ordering: .relaxed)
      let started = Threads.spawn { [self] in
        work()
        running.wrappingSubtract(1, ordering: .relaxed)
      }
      if !started {
        running.wrappingSubtract(1, ordering: .relaxed)
        log.error("cannot start a reconcile worker thread")
      }
    }
  }

  public func stop() {
    queue.shutDown()
    for informer in kcdInformers + deploymentInformers { informer.stop() }
    while running.load(ordering: .relaxed) > 0 { usleep(10_000) }
  }

  /// Periodic resync: re-enqueue every cached KCD (cheap: a GET and no write when nothing changed).
  func resync() {
    var last = monotonicSeconds()
    while !queue.state.withLock({ $0.shutDown }) {
      usleep(200_000)
      guard monotonicSeconds() - last >= options.resyncSeconds else { continue }
      last = monotonicSeconds()
      for kcd in kcds { queue.add(Informer.key(kcd)) }
    }
  }

  func work() {
    var reconciler = Reconciler(client: client, events: events, metrics: metrics, log: log, deployment: { [self] ns, name in deployment(namespace: ns, name: name) })
    reconciler.deployments = { [self] ns in
      let synced = deploymentInformers.allSatisfy(\.hasSynced)
      return synced ? deploymentInformers.flatMap(\.objects).filter { $0.namespace == ns } : nil
    }
    reconciler.cached = { [self] ns, name in
      for i in kcdInformers { if let k = i.get(namespace: ns, name: name) { return k } }
      return nil
    }
    reconciler.resolver = options.resolver
    reconciler.trustSignedDigests = options.trustSignedDigests
    while let key = queue.get() {
      metrics.set(ControllerMetrics.queueDepth, [], Double(queue.depth))
      let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
      guard parts.count == 2 else { queue.done(key); continue }
      do {
        if let again = try reconciler.reconcile(namespace: parts[0], name: parts[1]) { queue.add(key, after: again) }
        queue.forget(key)
      } catch {
        log.warn("reconcile failed; retrying", [("kcd", key), ("error", error.description)])
        queue.addRateLimited(key)
      }
      queue.done(key)
    }
  }
}
