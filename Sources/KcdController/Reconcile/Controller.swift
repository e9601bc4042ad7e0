import KcdCore
import KcdJSON
import KcdKube
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The reconciling side of kcd: informers on KCDs and the workload kinds, a work queue keyed by
/// KCD, and worker threads running the Reconciler. Workload changes wake the KCDs rolling them out.
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
  /// Per kind, one informer per watched namespace (or one for all).
  let workloadInformers: [(kind: WorkloadKind, informer: Informer)]
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
    var workloads: [(kind: WorkloadKind, informer: Informer)] = []
    for kind in WorkloadKind.allCases {
      for ns in scopes {
        workloads.append((kind, Informer(client: client, resource: kind.resource, options: Informer.Options(namespace: ns)) { change in
          // A workload moved: wake the KCDs rolling it out.
          let w: JSON
          switch change {
          case .upsert(_, let new): w = new
          case .delete(let old): w = old
          }
          let namespace = w.namespace
          let labels = (w["metadata"]["labels"].objectValue ?? [:]).compactMapValues(\.stringValue)
          for informer in kcdInformers {
            for kcd in informer.objects where kcd.namespace == namespace && kcd["status"]["currStatus"] == "Progressing" {
              let targets = (kcd["status"]["rollout"]["workloads"].arrayValue ?? []).map { ($0["kind"].stringValue ?? "Deployment", $0["name"].stringValue ?? "") }
              if targets.contains(where: { $0.0 == kind.rawValue && $0.1 == w.name })
                || (targets.isEmpty && KCDSpec.parse(kcd).spec?.selects(labels) == true)
              {
                queue.add(Informer.key(kcd))
              }
            }
          }
        }))
      }
    }
    workloadInformers = workloads
  }

  var allInformers: [Informer] { kcdInformers + workloadInformers.map(\.informer) }

  /// A workload as the informers see it.
  public func workload(_ kind: WorkloadKind, namespace: String, name: String) -> JSON? {
    for (k, i) in workloadInformers where k == kind { if let w = i.get(namespace: namespace, name: name) { return w } }
    return nil
  }

  /// Every workload of a namespace, with its kind, as the informers see them.
  public func workloads(namespace: String) -> [(kind: WorkloadKind, object: JSON)] {
    workloadInformers.flatMap { k, i in i.objects.filter { $0.namespace == namespace }.map { (k, $0) } }
  }

  /// Every KCD in the caches (intake matches events against these).
  public var kcds: [JSON] { kcdInformers.flatMap(\.objects) }

  public var hasSynced: Bool { allInformers.allSatisfy(\.hasSynced) }

  /// Deployments of a namespace as the informers see them.
  public func deploymentsCache(namespace: String) -> [JSON] {
    workloads(namespace: namespace).map(\.object)
  }

  public func deployment(namespace: String, name: String) -> JSON? {
    workload(.deployment, namespace: namespace, name: name)
  }

  /// Starts the informers and workers; a Deployment change wakes the KCDs whose selector matches it.
  public func start() {
    for informer in allInformers { informer.start() }
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
    for informer in allInformers { informer.stop() }
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
    var reconciler = Reconciler(client: client, events: events, metrics: metrics, log: log,
                                workload: { [self] kind, ns, name in workload(kind, namespace: ns, name: name) })
    reconciler.workloads = { [self] ns in
      workloadInformers.allSatisfy(\.informer.hasSynced) ? workloads(namespace: ns) : nil
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
