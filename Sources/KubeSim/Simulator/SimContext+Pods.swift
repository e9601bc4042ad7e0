import KcdJSON

/// The kubelet part: a pod starts after the start-up delay and then follows its image script.
extension SimContext {
  mutating func runPod(_ key: WorkloadSimulator.WorkKey) {
    guard let pod = store.get(BuiltinResources.pods, namespace: key.namespace, name: key.name), !pod.isBeingDeleted else { return }
    let uid = pod.uid
    let startAt: Double
    if let known = podStarts[uid] ?? simulator.podStartTime(uid) {
      startAt = known
    } else {
      startAt = simNow + options.podStartSeconds
      podStarts[uid] = startAt
      schedule(key, afterSimSeconds: options.podStartSeconds)
    }
    let started = simNow >= startAt
    let created = pod["metadata"]["creationTimestamp"].stringValue ?? wallNow
    let node = pod["spec"]["nodeName"].stringValue ?? node(0)
    let status = PodScript.status(for: pod, started: started, node: node, now: created)
    writeStatus(BuiltinResources.pods, pod, status.removingNodeName())
  }

  /// Creates a pod for a controller; it starts after the start-up delay.
  mutating func createPod(_ pod: JSON) {
    guard let created = try? store.create(BuiltinResources.pods, namespace: pod.namespace, object: pod) else { return }
    podStarts[created.uid] = simNow + options.podStartSeconds
    let key = WorkloadSimulator.WorkKey(kind: .pod, namespace: created.namespace, name: created.name)
    schedule(key, afterSimSeconds: options.podStartSeconds)
    runPod(key)
    invalidate(BuiltinResources.pods, namespace: pod.namespace)
  }

  mutating func deletePod(_ pod: JSON) {
    _ = try? store.delete(BuiltinResources.pods, namespace: pod.namespace, name: pod.name)
    forgottenPods.append(pod.uid)
    invalidate(BuiltinResources.pods, namespace: pod.namespace)
  }
}

extension JSON {
  func removingNodeName() -> JSON {
    var s = self
    s.removeValue(forKey: "nodeName")
    return s
  }
}
