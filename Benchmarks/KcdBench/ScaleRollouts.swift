import KcdCore
import KcdJSON
import KubeSim
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Stands in for the Deployment controller and the kubelets for the Deployments the bench
/// pushed to, and notes when each first carried its pinned image. KubeSim's own workload
/// simulator re-lists every ReplicaSet of the store for each Deployment it looks at, so at
/// 30,000 Deployments it needs minutes per pass (and its simulated progress deadlines then
/// expire for real); this driver's work grows only with the rollouts in flight.
///
/// A rollout goes as the real controller's does, with the same watch traffic for kcd: on a new
/// generation, a ReplicaSet for it and the Deployment status "1 of 2 replicas updated"; after a
/// pod's start-up time, the old ReplicaSet scaled to 0 and the status complete. The driver
/// follows the store's change history (woken by each change), so it sees a patch within a
/// millisecond however many Deployments wait, and the time it notes is when the patch landed.
final class RolloutDriver: Sendable {
  struct Key: Hashable, Sendable {
    var namespace: String
    var name: String
  }

  struct Expected: Sendable {
    var image: String
    /// Monotonic seconds at which the driver first saw the Deployment carry `image`.
    var patchedAt: Double? = nil
    var finished = false
  }

  /// Real seconds from the new ReplicaSet to its pod being ready.
  static let podStartSeconds = 0.03

  let store: ObjectStore
  /// False when KubeSim's simulator does the rollouts: only watch for the patches.
  let completes: Bool
  let expected = Mutex<[Key: Expected]>([:])
  /// The ReplicaSet each Deployment runs, and the one a rollout in flight is replacing.
  let replicaSets = Mutex<[Key: (current: String, old: String?)]>([:])
  let running = Atomic<Bool>(false)
  let stopped = Atomic<Bool>(true)

  init(store: ObjectStore, completes: Bool) {
    self.store = store
    self.completes = completes
  }

  /// The bench is about to push `image` to this Deployment's KCD.
  func expect(namespace: String, name: String, image: String) {
    expected.withLock { $0[Key(namespace: namespace, name: name)] = Expected(image: image) }
  }

  func patchedAt(namespace: String, name: String) -> Double? {
    expected.withLock { $0[Key(namespace: namespace, name: name)]?.patchedAt }
  }

  /// Where the driver is in the store's change history, and rollouts due to complete.
  let follow = Mutex<(cursor: Int64, due: [(at: Double, key: Key)])>((0, []))

  func start() {
    guard !running.exchange(true, ordering: .relaxed) else { return }
    stopped.store(false, ordering: .relaxed)
    follow.withLock { $0.cursor = store.currentRevision }
    Threads.spawn { [self] in
      while running.load(ordering: .relaxed) {
        let seen = store.changeGeneration
        let nextDue = tick()
        // Woken by the next store change, or when a rollout is due to complete.
        _ = store.waitForChange(after: seen, timeout: max(0.001, min(0.05, nextDue - monotonicSeconds())))
      }
      stopped.store(true, ordering: .relaxed)
    }
  }

  func stop() {
    running.store(false, ordering: .relaxed)
    while !stopped.load(ordering: .relaxed) { usleep(2_000) }
  }

  /// Reacts to the Deployment changes since the last pass (the store's history, so the work
  /// follows the changes, not the number of Deployments) and completes the rollouts that are due.
  /// Returns when the next one is due.
  func tick() -> Double {
    let now = monotonicSeconds()
    let cursor = follow.withLock { $0.cursor }
    var changed: [Key: JSON] = [:]
    if let (events, revision) = store.changes(after: cursor) {
      for e in events where e.storage == BuiltinResources.deployments.storageGroupResource && e.type != "DELETED" {
        changed[Key(namespace: e.object["metadata"]["namespace"].stringValue ?? "", name: e.object["metadata"]["name"].stringValue ?? "")] = e.object
      }
      follow.withLock { $0.cursor = revision }
    } else {
      // The history moved past the cursor: look at every Deployment still expected.
      let revision = store.currentRevision
      for key in expected.withLock({ $0.filter { $0.value.patchedAt == nil }.map(\.key) }) {
        if let d = store.get(BuiltinResources.deployments, namespace: key.namespace, name: key.name) { changed[key] = d }
      }
      follow.withLock { $0.cursor = revision }
    }
    for (key, d) in changed {
      let image = d["spec"]["template"]["spec"]["containers"][0]["image"].stringValue
      let started = expected.withLock { all -> Bool in
        guard var e = all[key], e.patchedAt == nil, image == e.image else { return false }
        e.patchedAt = now
        if !completes { e.finished = true }
        all[key] = e
        return completes
      }
      if started {
        beginRollout(key, d)
        follow.withLock { $0.due.append((now + RolloutDriver.podStartSeconds, key)) }
      }
    }
    let due = follow.withLock { f -> [Key] in
      let ready = f.due.filter { $0.at <= now }.map(\.key)
      f.due.removeAll { $0.at <= now }
      return ready
    }
    for key in due {
      finishRollout(key)
      expected.withLock { all in all[key]?.finished = true }
    }
    return follow.withLock { $0.due.map(\.at).min() } ?? (now + 1)
  }

  // MARK: what the Deployment controller writes

  /// The first ReplicaSet of a freshly loaded Deployment, and its status: already rolled out.
  func settle(loaded d: JSON) throws {
    let key = Key(namespace: d["metadata"]["namespace"].stringValue ?? "", name: d["metadata"]["name"].stringValue ?? "")
    let rs = try createReplicaSet(for: d, replicas: 1)
    try writeStatus(BuiltinResources.replicaSets, key.namespace, rs, RolloutDriver.replicaSetStatus(ready: 1))
    try writeStatus(BuiltinResources.deployments, key.namespace, key.name, RolloutDriver.deploymentStatus(replicas: 1, updated: 1, complete: true))
    replicaSets.withLock { $0[key] = (rs, nil) }
  }

  func beginRollout(_ key: Key, _ d: JSON) {
    guard let rs = try? createReplicaSet(for: d, replicas: 1) else { return }
    _ = try? writeStatus(BuiltinResources.deployments, key.namespace, key.name, RolloutDriver.deploymentStatus(replicas: 2, updated: 1, complete: false))
    replicaSets.withLock { $0[key] = (rs, $0[key]?.current) }
  }

  func finishRollout(_ key: Key) {
    let ns = key.namespace
    let sets = replicaSets.withLock { all -> (current: String, old: String?)? in
      defer { if let c = all[key]?.current { all[key] = (c, nil) } }
      return all[key]
    }
    if let old = sets?.old {
      _ = try? store.modify(BuiltinResources.replicaSets, namespace: ns, name: old) { (o: JSON) throws(StatusError) -> JSON in
        var c = o
        c["spec"]["replicas"] = 0
        return c
      }
      _ = try? writeStatus(BuiltinResources.replicaSets, ns, old, RolloutDriver.replicaSetStatus(ready: 0))
    }
    if let rs = sets?.current { _ = try? writeStatus(BuiltinResources.replicaSets, ns, rs, RolloutDriver.replicaSetStatus(ready: 1)) }
    _ = try? writeStatus(BuiltinResources.deployments, ns, key.name, RolloutDriver.deploymentStatus(replicas: 1, updated: 1, complete: true))
  }

  /// A ReplicaSet named after the Deployment's generation, owned by it, running its template.
  func createReplicaSet(for d: JSON, replicas: Int64) throws -> String {
    let ns = d["metadata"]["namespace"].stringValue ?? ""
    let name = d["metadata"]["name"].stringValue ?? ""
    let generation = d["metadata"]["generation"].intValue ?? 1
    let hash = "g\(generation)"
    var template = d["spec"]["template"]
    template["metadata"]["labels"]["pod-template-hash"] = .string(hash)
    var selector = d["spec"]["selector"]
    selector["matchLabels"]["pod-template-hash"] = .string(hash)
    let rsName = "\(name)-\(hash)"
    _ = try store.create(BuiltinResources.replicaSets, namespace: ns, object: [
      "apiVersion": "apps/v1", "kind": "ReplicaSet",
      "metadata": ["name": .string(rsName), "labels": template["metadata"]["labels"],
                   "annotations": ["deployment.kubernetes.io/revision": .string(String(generation))],
                   "ownerReferences": [["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(name), "uid": d["metadata"]["uid"],
                                        "controller": true, "blockOwnerDeletion": true]]],
      "spec": ["replicas": .int(replicas), "selector": selector, "template": template],
    ])
    return rsName
  }

  func writeStatus(_ type: ResourceType, _ namespace: String, _ name: String, _ status: JSON) throws {
    _ = try store.modify(type, namespace: namespace, name: name, subresource: "status") { (o: JSON) throws(StatusError) -> JSON in
      var c = o
      var s = status
      s["observedGeneration"] = o["metadata"]["generation"]
      c["status"] = s
      return c
    }
  }

  static func replicaSetStatus(ready: Int64) -> JSON {
    ready == 0 ? ["replicas": 0] : ["replicas": .int(ready), "fullyLabeledReplicas": .int(ready), "readyReplicas": .int(ready), "availableReplicas": .int(ready)]
  }

  /// Status as the Deployment controller writes it mid-rollout or when complete.
  static func deploymentStatus(replicas: Int64, updated: Int64, complete: Bool) -> JSON {
    let now = JSON.string(Timestamps.rfc3339(Timestamps.now()))
    let progressing: JSON = complete
      ? ["type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet has successfully progressed.",
         "lastUpdateTime": now, "lastTransitionTime": now]
      : ["type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated", "message": "ReplicaSet is progressing.",
         "lastUpdateTime": now, "lastTransitionTime": now]
    return ["replicas": .int(replicas), "updatedReplicas": .int(updated), "readyReplicas": .int(replicas), "availableReplicas": .int(replicas),
            "conditions": [["type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability.",
                            "lastUpdateTime": now, "lastTransitionTime": now], progressing]]
  }
}
