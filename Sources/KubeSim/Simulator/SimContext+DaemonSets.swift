import KcdJSON

/// The DaemonSet controller: one pod per simulated node, rolling update within maxUnavailable.
extension SimContext {
  mutating func runDaemonSet(_ key: WorkloadSimulator.WorkKey) {
    let type = BuiltinResources.daemonSets
    guard let ds = store.get(type, namespace: key.namespace, name: key.name), !ds.isBeingDeleted,
      let update = currentRevision(of: ds, ownerKind: "DaemonSet")
    else { return }
    let nodes = (0..<options.nodes).map(node)
    let rolling = ds["spec"]["updateStrategy"]["type"].stringValue != "OnDelete"
    let maxUnavailable = SimContext.resolve(ds["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"], total: Int64(nodes.count), roundUp: false, fallback: 1)
    var byNode = daemonPods(ds)
    for n in nodes where byNode[n] == nil {
      let pod = PodFactory.pod(name: "\(ds.name)-\(Identifiers.suffix())", template: ds["spec"]["template"], owner: ds, ownerKind: "DaemonSet",
                               ownerAPIVersion: "apps/v1", node: n, extraLabels: ["controller-revision-hash": update.hash, "pod-template-generation": String(ds.generation)])
      createPod(pod)
    }
    byNode = daemonPods(ds)
    if rolling {
      let unavailable = Int64(nodes.filter { !(byNode[$0].map(PodScript.isReady) ?? false) }.count)
      var budget = max(1, maxUnavailable) - unavailable
      for n in nodes where budget > 0 {
        guard let pod = byNode[n], pod.labels["controller-revision-hash"] != update.hash, PodScript.isReady(pod) else { continue }
        deletePod(pod)
        budget -= 1
        schedule(key, afterSimSeconds: 0.001)
      }
    }
    byNode = daemonPods(ds)
    let pods = Array(byNode.values)
    let ready = Int64(pods.filter(PodScript.isReady).count)
    let desired = Int64(nodes.count)
    var status: JSON = [
      "observedGeneration": .int(ds.generation), "desiredNumberScheduled": .int(desired), "currentNumberScheduled": .int(Int64(pods.count)),
      "numberReady": .int(ready), "numberAvailable": .int(ready), "numberMisscheduled": 0,
      "updatedNumberScheduled": .int(Int64(pods.filter { $0.labels["controller-revision-hash"] == update.hash }.count)),
    ]
    if desired - ready > 0 { status["numberUnavailable"] = .int(desired - ready) }
    if ready == 0 { status.removeValue(forKey: "numberAvailable") }
    writeStatus(type, ds, status)
  }

  mutating func daemonPods(_ ds: JSON) -> [String: JSON] {
    var out: [String: JSON] = [:]
    for pod in owned(BuiltinResources.pods, namespace: ds.namespace, ownerKind: "DaemonSet", ownerName: ds.name) where !pod.isBeingDeleted {
      if let n = pod["spec"]["nodeName"].stringValue {
        if out[n] != nil { deletePod(pod) } else { out[n] = pod }
      }
    }
    return out
  }
}
