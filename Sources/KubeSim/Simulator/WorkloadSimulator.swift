import KcdCore
import KcdHTTP
import KcdJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Stands in for kube-controller-manager and the kubelets: reacts to stored changes (through
/// the same change history watches use) and to its own timers, and moves Deployments,
/// ReplicaSets, StatefulSets, DaemonSets, Jobs and pods through their life over simulated time.
public final class WorkloadSimulator: Sendable {
  public struct Options: Sendable {
    /// Simulated seconds per real second.
    public var timeScale = 10.0
    /// Simulated seconds from pod creation to Ready for a healthy image.
    public var podStartSeconds = 3.0
    /// Simulated seconds a Job's pod runs before it completes.
    public var jobRunSeconds = 5.0
    /// Fake nodes, for DaemonSets.
    public var nodes = 3
    /// Real seconds between ticks.
    public var tickSeconds = 0.05
    /// Give every namespace the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap,
    /// as kube-controller-manager does.
    public var namespaceObjects = true
    /// The PEM bundle `kube-root-ca.crt` carries (the cluster CA).
    public var rootCAPEM = ""
    public init() {}
  }

  enum Kind: String, Sendable { case deployment, replicaSet, pod, statefulSet, daemonSet, job, cronJob, namespace }

  struct WorkKey: Hashable, Sendable {
    var kind: Kind
    var namespace: String
    var name: String
  }

  struct Memo: Sendable {
    /// Simulated time of the last progress of a Deployment rollout.
    var lastProgress: Double
    var counts: [Int64]
  }

  struct State: Sendable {
    var options: Options
    var simNow = 0.0
    var lastReal = monotonicSeconds()
    var cursor: Int64 = 0
    var dirty: Set<WorkKey> = []
    var timers: [(at: Double, key: WorkKey)] = []
    /// Pod uid → simulated time its containers start.
    var podStart: [String: Double] = [:]
    var memos: [String: Memo] = [:]
    var needsResync = true
  }

  let store: ObjectStore
  let state: Mutex<State>
  let running = Atomic<Bool>(false)
  let stopped = Atomic<Bool>(true)

  public init(store: ObjectStore, options: Options = Options()) {
    self.store = store
    self.state = Mutex(State(options: options))
  }

  public var timeScale: Double {
    get { state.withLock { $0.options.timeScale } }
    set { state.withLock { $0.options.timeScale = max(0.001, newValue) } }
  }

  public var options: Options { state.withLock { $0.options } }

  /// Simulated seconds since the simulator started.
  public var simulatedNow: Double { state.withLock { $0.simNow } }

  public func start() {
    guard !running.exchange(true, ordering: .relaxed) else { return }
    stopped.store(false, ordering: .relaxed)
    Threads.spawn { [self] in
      while running.load(ordering: .relaxed) {
        step()
        usleep(UInt32(options.tickSeconds * 1_000_000))
      }
      stopped.store(true, ordering: .relaxed)
    }
  }

  public func stop() {
    running.store(false, ordering: .relaxed)
    while !stopped.load(ordering: .relaxed) { usleep(5_000) }
  }

  /// Advances simulated time without waiting (tests use it to pass deadlines).
  public func advance(seconds: Double) {
    state.withLock { $0.simNow += seconds }
    step()
  }

  /// One round: take new changes and due timers, then run the controllers for what is dirty.
  public func step() {
    let work = collectWork()
    var context = SimContext(simulator: self, store: store, simNow: work.simNow, options: work.options)
    let order: [Kind] = [.namespace, .cronJob, .job, .deployment, .statefulSet, .daemonSet, .replicaSet, .pod]
    for kind in order {
      for key in work.keys where key.kind == kind { context.run(key) }
    }
    state.withLock { s in
      for (at, key) in context.newTimers { s.timers.append((at, key)) }
      for (uid, at) in context.podStarts { s.podStart[uid] = at }
      for uid in context.forgottenPods { s.podStart[uid] = nil }
      for (uid, memo) in context.memos { s.memos[uid] = memo }
    }
  }

  func collectWork() -> (keys: [WorkKey], simNow: Double, options: Options) {
    let (cursor, resync) = state.withLock { s -> (Int64, Bool) in
      let real = monotonicSeconds()
      s.simNow += (real - s.lastReal) * s.options.timeScale
      s.lastReal = real
      return (s.cursor, s.needsResync)
    }
    var keys: Set<WorkKey> = []
    var newCursor = cursor
    if !resync, let (changes, revision) = store.changes(after: cursor) {
      for change in changes { keys.formUnion(WorkloadSimulator.keys(for: change)) }
      newCursor = revision
    } else {
      newCursor = store.currentRevision
      keys.formUnion(allWorkloads())
    }
    return state.withLock { s in
      s.cursor = newCursor
      s.needsResync = false
      keys.formUnion(s.dirty)
      s.dirty.removeAll()
      let due = s.timers.filter { $0.at <= s.simNow }
      s.timers.removeAll { $0.at <= s.simNow }
      for t in due { keys.insert(t.key) }
      return (Array(keys), s.simNow, s.options)
    }
  }

  static func kind(ofStorage storage: String) -> Kind? {
    switch storage {
    case "apps/deployments": return .deployment
    case "apps/replicasets": return .replicaSet
    case "/pods": return .pod
    case "apps/statefulsets": return .statefulSet
    case "apps/daemonsets": return .daemonSet
    case "batch/jobs": return .job
    case "batch/cronjobs": return .cronJob
    case "/namespaces": return .namespace
    default: return nil
    }
  }

  static func kind(ofOwnerKind k: String) -> Kind? {
    switch k {
    case "Deployment": return .deployment
    case "ReplicaSet": return .replicaSet
    case "StatefulSet": return .statefulSet
    case "DaemonSet": return .daemonSet
    case "Job": return .job
    case "CronJob": return .cronJob
    default: return nil
    }
  }

  /// A change dirties the object itself and its controller.
  static func keys(for change: ChangeEvent) -> [WorkKey] {
    let o = change.object
    if change.type == "DELETED" && SimContext.isNamespaceObject(storage: change.storage, name: o.name) {
      return [WorkKey(kind: .namespace, namespace: "", name: o.namespace)]
    }
    guard let own = kind(ofStorage: change.storage) else { return [] }
    var keys = [WorkKey(kind: own, namespace: o.namespace, name: o.name)]
    if let owner = PodFactory.controller(of: o), let k = kind(ofOwnerKind: owner.kind) {
      keys.append(WorkKey(kind: k, namespace: o.namespace, name: owner.name))
    }
    return keys
  }

  func allWorkloads() -> [WorkKey] {
    let types: [(ResourceType, Kind)] = [
      (BuiltinResources.deployments, .deployment), (BuiltinResources.replicaSets, .replicaSet), (BuiltinResources.pods, .pod),
      (BuiltinResources.statefulSets, .statefulSet), (BuiltinResources.daemonSets, .daemonSet), (BuiltinResources.jobs, .job),
      (BuiltinResources.cronJobs, .cronJob), (BuiltinResources.namespaces, .namespace),
    ]
    var keys: [WorkKey] = []
    for (type, kind) in types {
      for o in store.list(type, namespace: nil).items { keys.append(WorkKey(kind: kind, namespace: o.namespace, name: o.name)) }
    }
    return keys
  }

  func podStartTime(_ uid: String) -> Double? { state.withLock { $0.podStart[uid] } }
  func memo(_ uid: String) -> Memo? { state.withLock { $0.memos[uid] } }
}
