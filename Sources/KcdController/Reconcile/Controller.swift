import KcdCore
import KcdJSON
import KcdKube
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The reconciling side of kcd: informers feeding the typed KCD and workload caches, a work
/// queue keyed by KCD, and worker threads running the rollout machine. A workload change wakes
/// only the KCDs whose rollout in flight includes it (an index, not a scan).
public final class Controller: Sendable {
  public struct Options: Sendable {
    /// Namespaces to watch; empty = all.
    public var namespaces: [String] = []
    /// Reconcile workers (they mostly wait on the API server).
    public var workers = 4
    public var identity = "kcd"
    /// Every KCD is looked at again this often, whatever the watches said (a safety net).
    public var resyncSeconds = 300.0
    /// Registry look-ups (confirming events, polling); nil: signed CI digests only.
    public var resolver: (any ImageResolver)? = nil
    /// Runs `spec.verify` checks; nil: a KCD with checks waits, saying so.
    public var verifier: (any CandidateVerifier)? = nil
    public var trustSignedDigests = true
    /// A watch silent this long (no event, no bookmark) is restarted.
    public var watchSilenceSeconds = 180.0
    /// False under leader election: the caches fill (hooks need them) but nothing is reconciled
    /// until `setLeading(true)`.
    public var leadsAtStart = true
    /// The API version of each workload kind (from discovery: `WorkloadResources.discover`).
    public var workloadResources = WorkloadResources.preferred
    /// Tells the configured receivers how rollouts end (nil: nobody is told).
    public var notifier: Notifier? = nil
    public init() {}
  }

  public let client: KubeClient
  public let metrics: MetricsRegistry
  public let kcds: KCDCache
  public let workloads: WorkloadCache
  let options: Options
  let log: Logger
  let queue = WorkQueue()
  let events: EventRecorder
  let resolutions: DigestResolutions?
  let verifications: VerificationRuns?
  let kcdInformers: [Informer]
  let workloadInformers: [Informer]
  /// Who else wants to hear about KCD changes (the poller's schedule).
  let listeners = Listeners<KCDChange>()
  let running = Atomic<Int>(0)
  let wakeResync = ChangeSignal()
  let hints = KCDHints()
  let generations = GenerationMemo()
  let leading: Atomic<Bool>
  let leadership = ChangeSignal()
  let leadershipListeners = Listeners<Bool>()

  public init(client: KubeClient, metrics: MetricsRegistry, options: Options = Options(), log: Logger) {
    self.client = client
    self.metrics = metrics
    self.options = options
    self.log = log
    leading = Atomic(options.leadsAtStart)
    metrics.set(ControllerMetrics.leader, [], options.leadsAtStart ? 1 : 0)
    ControllerMetrics.registerInformerMetrics(metrics)
    events = EventRecorder(client: client, host: options.identity, onError: { message in log.warn("cannot record event", [("error", message)]) })
    let queue = self.queue
    let listeners = self.listeners
    let kcds = KCDCache { old, new in
      if let key = new?.key ?? old?.key, new != nil { queue.add(key) }
      listeners.notify(KCDChange(old: old, new: new))
    }
    self.kcds = kcds
    workloads = WorkloadCache { ref, _, _ in
      for key in kcds.rollingOut(ref) { queue.add(key) }
    }
    resolutions = options.resolver.map { DigestResolutions(resolver: $0, wake: { key in queue.add(key) }) }
    verifications = options.verifier.map { VerificationRuns(verifier: $0, wake: { key in queue.add(key) }) }
    let scopes: [String?] = options.namespaces.isEmpty ? [nil] : options.namespaces.map { $0 }
    func informerOptions(_ ns: String?) -> Informer.Options {
      var o = Informer.Options(namespace: ns)
      o.silenceLimit = options.watchSilenceSeconds
      return o
    }
    func failure(_ resource: KubeResource) -> @Sendable (String, Int) -> Void {
      { message, failures in
        metrics.increment(ControllerMetrics.informerFailures, [resource.plural])
        // The first failure and then every tenth, so a long outage does not flood the log.
        if failures == 1 || failures % 10 == 0 {
          log.warn("cache lost contact with the API server; retrying", [("resource", resource.description), ("failures", String(failures)), ("error", message)])
        }
      }
    }
    func availability(_ resource: KubeResource, _ ns: String?) -> @Sendable (Bool) -> Void {
      { available in
        metrics.set(ControllerMetrics.informerUnavailable, [resource.plural], available ? 0 : 1)
        let scope = ("namespace", ns ?? "(all)")
        if available {
          log.info("resource can be listed again", [("resource", resource.description), scope])
        } else {
          log.warn("resource not served or not permitted: KCDs cannot find workloads of this kind; everything else goes on",
                   [("resource", resource.description), scope])
        }
      }
    }
    kcdInformers = scopes.map { Informer(client: client, resource: .kcds, options: informerOptions($0), sink: kcds, onFailure: failure(.kcds)) }
    var informers: [Informer] = []
    for kind in WorkloadKind.allCases {
      let resource = options.workloadResources.resource(kind)
      for ns in scopes {
        informers.append(Informer(client: client, resource: resource, options: informerOptions(ns), sink: workloads.sink(kind: kind, namespace: ns),
                                  onFailure: failure(resource), onAvailability: availability(resource, ns)))
      }
    }
    workloadInformers = informers
  }

  var allInformers: [Informer] { kcdInformers + workloadInformers }

  /// Told whenever this replica starts (true) or stops (false) leading.
  public func observeLeadership(_ f: @escaping @Sendable (Bool) -> Void) { leadershipListeners.add(f) }

  /// Told about every KCD change (old, new), after the cache has it.
  public func observeKCDs(_ f: @escaping @Sendable (KCD?, KCD?) -> Void) { listeners.add { f($0.old, $0.new) } }

  /// The KCD cache has been filled (hooks can match events).
  public var kcdsSynced: Bool { kcdInformers.allSatisfy(\.hasSynced) }
  /// The KCD cache is known to be current: a "no KCD follows" answer can be trusted.
  public var kcdsCurrent: Bool { kcdInformers.allSatisfy(\.isCurrent) }
  /// Every workload cache has synced, except those of kinds the cluster does not serve or kcd
  /// may not list (reported, and never waited for).
  public var workloadsSynced: Bool { workloadInformers.allSatisfy { $0.hasSynced || $0.isUnavailable } }
  public var hasSynced: Bool { kcdsSynced && workloadsSynced }

  /// Each cache's state, for `/readyz` and the logs.
  public var informerStates: [(resource: String, namespace: String?, health: Informer.Health)] {
    allInformers.map { ($0.resource.description, $0.options.namespace, $0.state) }
  }

  /// Starts the informers and workers.
  public func start() {
    for informer in allInformers { informer.start() }
    spawnCounted { [self] in resync() }
    let executor = makeExecutor()
    for _ in 0..<max(1, options.workers) { spawnCounted { [self] in work(executor) } }
  }

  func spawnCounted(_ body: @escaping @Sendable () -> Void) {
    running.wrappingAdd(1, ordering: .relaxed)
    if !Threads.spawn({ [self] in body(); running.wrappingSubtract(1, ordering: .relaxed) }) {
      running.wrappingSubtract(1, ordering: .relaxed)
      log.error("cannot start a controller thread")
    }
  }

  /// Whether this replica reconciles now.
  public var isLeading: Bool { leading.load(ordering: .relaxed) }

  /// Starts or stops reconciling (leader election). Workers stop at a safe point: between two
  /// passes, never in the middle of one. A new leader looks at every KCD at once, which resumes
  /// every rollout in flight and every pending request from what the KCDs record.
  public func setLeading(_ on: Bool) {
    guard leading.exchange(on, ordering: .relaxed) != on else { return }
    metrics.set(ControllerMetrics.leader, [], on ? 1 : 0)
    leadership.notify()
    leadershipListeners.notify(on)
    if on {
      for kcd in kcds.all { queue.add(kcd.key) }
    }
  }

  /// Blocks a worker while this replica does not lead; false once the controller stops.
  func waitUntilLeading() -> Bool {
    while !isLeading {
      if queue.isShutDown { return false }
      let seen = leadership.current
      if isLeading { break }
      _ = leadership.wait(after: seen, timeout: 1)
    }
    return !queue.isShutDown
  }

  public func stop() {
    stopWorkers()
    stopCaches()
  }

  /// No new passes: each worker finishes the one it is in (a safe point), then returns.
  public func stopWorkers() {
    queue.shutDown()
    leadership.notify()
    wakeResync.notify()
    resolutions?.stop()
    verifications?.stop()
    while running.load(ordering: .relaxed) > 0 { usleep(5_000) }
  }

  /// Stops the informers, side by side (each watch is woken and ends at once).
  public func stopCaches() {
    for informer in allInformers { informer.requestStop() }
    for informer in allInformers { informer.waitStopped() }
  }

  func makeExecutor() -> RolloutExecutor {
    var settings = RolloutSettings(trustSignedDigests: options.trustSignedDigests, canResolve: options.resolver != nil)
    settings.trackInterval = 5
    settings.canVerify = options.verifier != nil
    return RolloutExecutor(client: client, events: events, metrics: metrics, log: log, kcds: kcds, workloads: workloads,
                           workloadsSynced: { [self] in workloadsSynced }, resolutions: resolutions, verifications: verifications, settings: settings, clock: Timestamps.now,
                           generations: generations, hints: hints, resources: options.workloadResources, notifier: options.notifier)
  }

  /// Periodic resync: every cached KCD is looked at again (from the cache: no API call when
  /// nothing is to be done). Sleeps in between.
  func resync() {
    while !queue.isShutDown {
      let seen = wakeResync.current
      _ = wakeResync.wait(after: seen, timeout: options.resyncSeconds)
      if queue.isShutDown { return }
      for kcd in kcds.all { queue.add(kcd.key) }
    }
  }

  func work(_ executor: RolloutExecutor) {
    while waitUntilLeading(), let key = queue.get() {
      if !isLeading {
        // Leadership ended while this worker waited for a key: leave it for the next leader.
        queue.done(key)
        queue.add(key)
        continue
      }
      metrics.set(ControllerMetrics.queueDepth, [], Double(queue.depth))
      do {
        queue.schedule(key, after: try executor.reconcile(key: key))
        queue.forget(key)
      } catch {
        if let wait = error.retryAfterSeconds {
          // The server said when: the key waits that long, the worker goes on with others.
          queue.add(key, after: min(max(wait, 0.05), 60))
        } else {
          log.warn("reconcile failed; retrying", [("kcd", key), ("error", error.description)])
          queue.addRateLimited(key)
        }
      }
      queue.done(key)
    }
  }

  /// Looks at a KCD soon (tests, the API's sync).
  public func enqueue(_ key: String) { queue.add(key) }

  /// Intake has just written this KCD: look at it now, starting from this copy (at least as new
  /// as the write) rather than waiting for the watch to bring it. A copy the watch has already
  /// overtaken only costs a 409 and a fresh read.
  public func recorded(_ kcd: KCD) {
    hints.put(kcd)
    queue.add(kcd.key)
  }
}

/// A KCD as it was and as it is now (nil: created, or deleted).
struct KCDChange: Sendable {
  var old: KCD?
  var new: KCD?
}

/// Callbacks told about one kind of change.
final class Listeners<Value: Sendable>: Sendable {
  let list = Mutex<[@Sendable (Value) -> Void]>([])

  func add(_ f: @escaping @Sendable (Value) -> Void) { list.withLock { $0.append(f) } }

  func notify(_ value: Value) {
    for f in list.withLock({ $0 }) { f(value) }
  }
}

/// Copies of KCDs intake just wrote, taken once by the next pass over them.
final class KCDHints: Sendable {
  let copies = Mutex<[String: KCD]>([:])

  func put(_ kcd: KCD) { copies.withLock { $0[kcd.key] = kcd } }

  func take(_ key: String) -> KCD? { copies.withLock { $0.removeValue(forKey: key) } }
}
