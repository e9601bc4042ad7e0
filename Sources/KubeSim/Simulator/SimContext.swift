import KcdCore
import KcdJSON

/// One simulator round: the simulated time, per-round caches of owned objects, and what the
/// round decided to remember (timers, pod start times, rollout memos).
struct SimContext {
  let simulator: WorkloadSimulator
  let store: ObjectStore
  let simNow: Double
  let options: WorkloadSimulator.Options
  var newTimers: [(Double, WorkloadSimulator.WorkKey)] = []
  var podStarts: [String: Double] = [:]
  var forgottenPods: [String] = []
  var memos: [String: WorkloadSimulator.Memo] = [:]
  /// namespace → controller "Kind/name" → owned objects, built once per round per type.
  var ownedCache: [String: [String: [JSON]]] = [:]

  init(simulator: WorkloadSimulator, store: ObjectStore, simNow: Double, options: WorkloadSimulator.Options) {
    self.simulator = simulator
    self.store = store
    self.simNow = simNow
    self.options = options
  }

  var wallNow: String { GoTime(store.clock()).formatted(.rfc3339) }

  mutating func run(_ key: WorkloadSimulator.WorkKey) {
    switch key.kind {
    case .pod: runPod(key)
    case .replicaSet: runReplicaSet(key)
    case .deployment: runDeployment(key)
    case .statefulSet: runStatefulSet(key)
    case .daemonSet: runDaemonSet(key)
    case .job: runJob(key)
    case .cronJob: runCronJob(key)
    case .namespace: runNamespace(key)
    }
  }

  mutating func schedule(_ key: WorkloadSimulator.WorkKey, afterSimSeconds s: Double) {
    newTimers.append((simNow + max(0.001, s), key))
  }

  /// Objects of `type` in a namespace whose controller is `ownerKind/ownerName`.
  mutating func owned(_ type: ResourceType, namespace: String, ownerKind: String, ownerName: String) -> [JSON] {
    let cacheKey = type.storageGroupResource + "|" + namespace
    if ownedCache[cacheKey] == nil {
      var index: [String: [JSON]] = [:]
      for o in store.list(type, namespace: namespace).items {
        if let c = PodFactory.controller(of: o) { index["\(c.kind)/\(c.name)", default: []].append(o) }
      }
      ownedCache[cacheKey] = index
    }
    return ownedCache[cacheKey]?["\(ownerKind)/\(ownerName)"] ?? []
  }

  /// Forget cached owned objects after this round changed them.
  mutating func invalidate(_ type: ResourceType, namespace: String) {
    ownedCache[type.storageGroupResource + "|" + namespace] = nil
  }

  /// Writes a status if it differs (the store ignores no-op writes).
  func writeStatus(_ type: ResourceType, _ object: JSON, _ status: JSON) {
    guard object["status"] != status else { return }
    _ = try? store.modify(type, namespace: object.namespace, name: object.name, subresource: "status") { (current: JSON) throws(StatusError) -> JSON in
      var o = current
      o["status"] = status
      return o
    }
  }

  func node(_ i: Int) -> String { "kubesim-node-\(i)" }
}
