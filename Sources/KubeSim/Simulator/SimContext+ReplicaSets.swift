import KcdJSON

/// The ReplicaSet controller: keeps `spec.replicas` pods and reports their readiness.
extension SimContext {
  mutating func runReplicaSet(_ key: WorkloadSimulator.WorkKey) {
    guard let rs = store.get(BuiltinResources.replicaSets, namespace: key.namespace, name: key.name), !rs.isBeingDeleted else { return }
    var pods = owned(BuiltinResources.pods, namespace: key.namespace, ownerKind: "ReplicaSet", ownerName: key.name).filter { !$0.isBeingDeleted }
    let desired = Int(rs["spec"]["replicas"].intValue ?? 1)
    if pods.count < desired {
      for _ in pods.count..<desired {
        let pod = PodFactory.pod(name: "\(rs.name)-\(Identifiers.suffix())", template: rs["spec"]["template"], owner: rs,
                                 ownerKind: "ReplicaSet", ownerAPIVersion: "apps/v1", node: node(0))
        createPod(pod)
      }
      pods = owned(BuiltinResources.pods, namespace: key.namespace, ownerKind: "ReplicaSet", ownerName: key.name).filter { !$0.isBeingDeleted }
    } else if pods.count > desired {
      // Not-ready pods go first, then the newest (the real controller's ranking, simplified).
      let ranked = pods.sorted { a, b in
        let ra = PodScript.isReady(a), rb = PodScript.isReady(b)
        if ra != rb { return !ra }
        return (a["metadata"]["creationTimestamp"].stringValue ?? "") > (b["metadata"]["creationTimestamp"].stringValue ?? "")
      }
      for pod in ranked.prefix(pods.count - desired) { deletePod(pod) }
      pods = Array(ranked.dropFirst(pods.count - desired))
    }
    let ready = Int64(pods.filter(PodScript.isReady).count)
    var status: JSON = ["replicas": .int(Int64(pods.count)), "fullyLabeledReplicas": .int(Int64(pods.count)),
                        "readyReplicas": .int(ready), "availableReplicas": .int(ready), "observedGeneration": .int(rs.generation)]
    if ready == 0 { status.removeValue(forKey: "readyReplicas"); status.removeValue(forKey: "availableReplicas") }
    writeStatus(BuiltinResources.replicaSets, rs, status)
  }

  /// Pod counts of a set of pods: (total, ready).
  static func counts(_ pods: [JSON]) -> (Int64, Int64) {
    (Int64(pods.count), Int64(pods.filter(PodScript.isReady).count))
  }
}
