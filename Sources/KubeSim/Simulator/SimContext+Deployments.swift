import KcdJSON

/// The Deployment controller: one ReplicaSet per pod template (revisions, so `kubectl rollout
/// history/undo` work), rolling or recreate scaling, and status with the real conditions,
/// including ProgressDeadlineExceeded after `progressDeadlineSeconds` of simulated time.
extension SimContext {
  static let revisionAnnotation = "deployment.kubernetes.io/revision"

  static func revision(_ o: JSON) -> Int64 { Int64(o.annotations[revisionAnnotation] ?? "") ?? 0 }

  /// maxSurge / maxUnavailable: an integer or a percentage of `total`.
  static func resolve(_ value: JSON, total: Int64, roundUp: Bool, fallback: Int64) -> Int64 {
    if let i = value.intValue { return i }
    guard let s = value.stringValue, s.hasSuffix("%"), let p = Double(s.dropLast()) else { return fallback }
    let v = Double(total) * p / 100
    return Int64(roundUp ? v.rounded(.up) : v.rounded(.down))
  }

  mutating func runDeployment(_ key: WorkloadSimulator.WorkKey) {
    let type = BuiltinResources.deployments
    guard var d = store.get(type, namespace: key.namespace, name: key.name), !d.isBeingDeleted else { return }
    let desired = d["spec"]["replicas"].intValue ?? 1
    let paused = d["spec"]["paused"].boolValue == true
    var template = d["spec"]["template"]
    template["metadata"]["labels"].removeValue(forKey: "pod-template-hash")
    let hash = Identifiers.hash(template.serialized())
    var sets = owned(BuiltinResources.replicaSets, namespace: key.namespace, ownerKind: "Deployment", ownerName: key.name).filter { !$0.isBeingDeleted }
    var newRS = sets.first { $0.labels["pod-template-hash"] == hash }
    var createdNew = false
    if !paused {
      let maxRevision = sets.map(SimContext.revision).max() ?? 0
      if newRS == nil {
        newRS = try? store.create(BuiltinResources.replicaSets, namespace: key.namespace, object: replicaSet(for: d, template: template, hash: hash, revision: maxRevision + 1))
        createdNew = newRS != nil
      } else if let rs = newRS, SimContext.revision(rs) < maxRevision {
        newRS = adopt(rs, revision: maxRevision + 1, changeCause: d.annotations["kubernetes.io/change-cause"])
      }
      invalidate(BuiltinResources.replicaSets, namespace: key.namespace)
      if let rs = newRS, d.annotations[SimContext.revisionAnnotation] != String(SimContext.revision(rs)) {
        let revision = String(SimContext.revision(rs))
        d = (try? store.modify(type, namespace: key.namespace, name: key.name) { (o: JSON) throws(StatusError) -> JSON in
          var c = o
          c["metadata"]["annotations"][SimContext.revisionAnnotation] = .string(revision)
          return c
        }) ?? d
      }
      if let rs = newRS { scale(d, newRS: rs, desired: desired) }
      sets = owned(BuiltinResources.replicaSets, namespace: key.namespace, ownerKind: "Deployment", ownerName: key.name).filter { !$0.isBeingDeleted }
      newRS = sets.first { $0.labels["pod-template-hash"] == hash }
    }
    writeDeploymentStatus(d, sets: sets, newRS: newRS, desired: desired, paused: paused, createdNew: createdNew)
    cleanUp(d, sets: sets, newRS: newRS)
  }

  func replicaSet(for d: JSON, template: JSON, hash: String, revision: Int64) -> JSON {
    var t = template
    t["metadata"]["labels"]["pod-template-hash"] = .string(hash)
    var selector = d["spec"]["selector"]
    selector["matchLabels"]["pod-template-hash"] = .string(hash)
    var annotations: JSON = [SimContext.revisionAnnotation: .string(String(revision)),
                             "deployment.kubernetes.io/desired-replicas": .string(String(d["spec"]["replicas"].intValue ?? 1))]
    if let cause = d.annotations["kubernetes.io/change-cause"] { annotations["kubernetes.io/change-cause"] = .string(cause) }
    return ["metadata": ["name": .string("\(d.name)-\(hash)"), "labels": t["metadata"]["labels"], "annotations": annotations,
                         "ownerReferences": [PodFactory.ownerReference(kind: "Deployment", apiVersion: "apps/v1", of: d)]],
            "spec": ["replicas": 0, "minReadySeconds": .int(d["spec"]["minReadySeconds"].intValue ?? 0), "selector": selector, "template": t]]
  }

  /// Rolling back to an old template reuses its ReplicaSet under a new, highest revision.
  func adopt(_ rs: JSON, revision: Int64, changeCause: String?) -> JSON? {
    try? store.modify(BuiltinResources.replicaSets, namespace: rs.namespace, name: rs.name) { (o: JSON) throws(StatusError) -> JSON in
      var c = o
      let old = SimContext.revision(o)
      var history = o.annotations["deployment.kubernetes.io/revision-history"].map { $0 + "," } ?? ""
      history += String(old)
      c["metadata"]["annotations"][SimContext.revisionAnnotation] = .string(String(revision))
      c["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] = .string(history)
      if let cause = changeCause { c["metadata"]["annotations"]["kubernetes.io/change-cause"] = .string(cause) }
      return c
    }
  }

  func setReplicas(_ rs: JSON, _ n: Int64) {
    guard rs["spec"]["replicas"].intValue != n else { return }
    _ = try? store.modify(BuiltinResources.replicaSets, namespace: rs.namespace, name: rs.name) { (o: JSON) throws(StatusError) -> JSON in
      var c = o
      c["spec"]["replicas"] = .int(n)
      return c
    }
  }

  mutating func podCounts(_ rs: JSON) -> (total: Int64, ready: Int64) {
    SimContext.counts(owned(BuiltinResources.pods, namespace: rs.namespace, ownerKind: "ReplicaSet", ownerName: rs.name).filter { !$0.isBeingDeleted })
  }

  mutating func scale(_ d: JSON, newRS: JSON, desired: Int64) {
    let sets = owned(BuiltinResources.replicaSets, namespace: d.namespace, ownerKind: "Deployment", ownerName: d.name).filter { !$0.isBeingDeleted }
    let olds = sets.filter { $0.name != newRS.name }.sorted { SimContext.revision($0) < SimContext.revision($1) }
    var newReplicas = newRS["spec"]["replicas"].intValue ?? 0
    var oldSpecs = olds.map { $0["spec"]["replicas"].intValue ?? 0 }
    if d["spec"]["strategy"]["type"].stringValue == "Recreate" {
      for (i, rs) in olds.enumerated() where oldSpecs[i] > 0 { setReplicas(rs, 0); oldSpecs[i] = 0 }
      let oldPods = olds.reduce(Int64(0)) { $0 + podCounts($1).total }
      if oldPods == 0 { setReplicas(newRS, desired) }
      invalidate(BuiltinResources.replicaSets, namespace: d.namespace)
      return
    }
    let rolling = d["spec"]["strategy"]["rollingUpdate"]
    let surge = SimContext.resolve(rolling["maxSurge"], total: desired, roundUp: true, fallback: 1)
    var unavailable = SimContext.resolve(rolling["maxUnavailable"], total: desired, roundUp: false, fallback: 0)
    if surge == 0 && unavailable == 0 { unavailable = 1 }
    let oldTotal = oldSpecs.reduce(0, +)
    if newReplicas < desired {
      let allowed = desired + surge - (newReplicas + oldTotal)
      if allowed > 0 { newReplicas = min(desired, newReplicas + allowed) }
    } else if newReplicas > desired {
      newReplicas = desired
    }
    setReplicas(newRS, newReplicas)
    // Old replicas that are not available can go at once; then as many as availability allows.
    let newReady = podCounts(newRS).ready
    var total = newReplicas + oldTotal
    for (i, rs) in olds.enumerated() where oldSpecs[i] > 0 {
      let unhealthy = max(0, oldSpecs[i] - podCounts(rs).ready)
      if unhealthy > 0 { oldSpecs[i] -= unhealthy; total -= unhealthy }
    }
    var budget = total - (desired - unavailable) - max(0, newReplicas - newReady)
    for i in olds.indices where budget > 0 && oldSpecs[i] > 0 {
      let cut = min(budget, oldSpecs[i])
      oldSpecs[i] -= cut
      budget -= cut
    }
    for (i, rs) in olds.enumerated() { setReplicas(rs, oldSpecs[i]) }
    invalidate(BuiltinResources.replicaSets, namespace: d.namespace)
  }
}
