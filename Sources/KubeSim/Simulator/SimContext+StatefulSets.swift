import KcdJSON

/// The StatefulSet controller: ordinal pods, ordered start-up, rolling update from the highest
/// ordinal down to the partition (one pod at a time, only while all are ready), OnDelete.
extension SimContext {
  mutating func runStatefulSet(_ key: WorkloadSimulator.WorkKey) {
    let type = BuiltinResources.statefulSets
    guard let sts = store.get(type, namespace: key.namespace, name: key.name), !sts.isBeingDeleted,
      let update = currentRevision(of: sts, ownerKind: "StatefulSet")
    else { return }
    let replicas = Int(sts["spec"]["replicas"].intValue ?? 1)
    let ordered = sts["spec"]["podManagementPolicy"].stringValue != "Parallel"
    let rolling = sts["spec"]["updateStrategy"]["type"].stringValue != "OnDelete"
    let partition = Int(sts["spec"]["updateStrategy"]["rollingUpdate"]["partition"].intValue ?? 0)
    var currentName = sts["status"]["currentRevision"].stringValue ?? update.name
    if currentName.isEmpty { currentName = update.name }

    var pods = statefulPods(sts)
    // Create missing ordinals (in order, waiting for readiness when OrderedReady).
    for i in 0..<replicas where pods[i] == nil {
      if ordered && (0..<i).contains(where: { pods[$0].map { !PodScript.isReady($0) } ?? true }) { break }
      let revision = i < partition && rolling ? currentName : update.name
      let template = revisionTemplate(sts, ownerKind: "StatefulSet", revisionName: revision) ?? sts["spec"]["template"]
      var pod = PodFactory.pod(name: "\(sts.name)-\(i)", template: template, owner: sts, ownerKind: "StatefulSet", ownerAPIVersion: "apps/v1",
                               node: node(0), extraLabels: ["controller-revision-hash": revision, "statefulset.kubernetes.io/pod-name": "\(sts.name)-\(i)"])
      pod["metadata"]["labels"]["controller-revision-hash"] = .string(revision)
      createPod(pod)
      if ordered { break }
    }
    // Scale down from the highest ordinal.
    for (i, pod) in pods where i >= replicas { deletePod(pod) }
    pods = statefulPods(sts)
    // Rolling update: replace the highest outdated ordinal ≥ partition once every pod is ready.
    let allReady = (0..<replicas).allSatisfy { pods[$0].map(PodScript.isReady) ?? false }
    if rolling && allReady {
      if let i = (partition..<max(partition, replicas)).reversed().first(where: { pods[$0]?.labels["controller-revision-hash"] != update.name }),
        let pod = pods[i]
      {
        deletePod(pod)
        runStatefulSetAgain(key)
      }
    }
    pods = statefulPods(sts)
    let live = pods.filter { $0.key < replicas }.map(\.value)
    let updated = Int64(live.filter { $0.labels["controller-revision-hash"] == update.name }.count)
    let ready = Int64(live.filter(PodScript.isReady).count)
    let current = updated == Int64(replicas) && ready == Int64(replicas) ? update.name : currentName
    let status: JSON = [
      "observedGeneration": .int(sts.generation), "replicas": .int(Int64(live.count)), "readyReplicas": .int(ready),
      "availableReplicas": .int(ready), "updatedReplicas": .int(updated),
      "currentReplicas": .int(Int64(live.filter { $0.labels["controller-revision-hash"] == current }.count)),
      "currentRevision": .string(current), "updateRevision": .string(update.name), "collisionCount": 0,
    ]
    writeStatus(type, sts, status)
  }

  mutating func runStatefulSetAgain(_ key: WorkloadSimulator.WorkKey) {
    schedule(key, afterSimSeconds: 0.001)
  }

  mutating func statefulPods(_ sts: JSON) -> [Int: JSON] {
    var out: [Int: JSON] = [:]
    for pod in owned(BuiltinResources.pods, namespace: sts.namespace, ownerKind: "StatefulSet", ownerName: sts.name) where !pod.isBeingDeleted {
      if let i = Int(pod.name.dropFirst(sts.name.count + 1)) { out[i] = pod }
    }
    return out
  }
}
