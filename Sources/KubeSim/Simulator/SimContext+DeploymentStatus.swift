import KcdJSON

/// Deployment status and conditions, and garbage collection of old ReplicaSets.
extension SimContext {
  mutating func writeDeploymentStatus(_ d: JSON, sets: [JSON], newRS: JSON?, desired: Int64, paused: Bool, createdNew: Bool) {
    var replicas: Int64 = 0, ready: Int64 = 0, updated: Int64 = 0
    for rs in sets {
      let c = podCounts(rs)
      replicas += c.total
      ready += c.ready
      if rs.name == newRS?.name { updated = c.total }
    }
    let available = ready
    let rolling = d["spec"]["strategy"]["rollingUpdate"]
    let maxUnavailable = d["spec"]["strategy"]["type"].stringValue == "Recreate" ? 0 : SimContext.resolve(rolling["maxUnavailable"], total: desired, roundUp: false, fallback: 0)
    let counts = [replicas, updated, ready, available, newRS.map(SimContext.revision) ?? 0, desired]
    let previous = memos[d.uid] ?? simulator.memo(d.uid)
    var lastProgress = previous?.lastProgress ?? simNow
    let progressed = previous == nil || previous!.counts != counts
    if progressed { lastProgress = simNow }
    memos[d.uid] = WorkloadSimulator.Memo(lastProgress: lastProgress, counts: counts)

    let complete = newRS != nil && updated == desired && replicas == desired && available == desired
    let oldConditions = d["status"]["conditions"].arrayValue ?? []
    let oldProgressing = oldConditions.first { $0["type"] == "Progressing" }
    let rsName = newRS?.name ?? ""
    let deadline = Double(d["spec"]["progressDeadlineSeconds"].intValue ?? 600)
    var progressing: (String, String, String)
    if paused {
      progressing = ("Unknown", "DeploymentPaused", "Deployment is paused")
    } else if complete {
      progressing = ("True", "NewReplicaSetAvailable", "ReplicaSet \"\(rsName)\" has successfully progressed.")
    } else if oldProgressing?["reason"] == "ProgressDeadlineExceeded" && !progressed {
      progressing = ("False", "ProgressDeadlineExceeded", "ReplicaSet \"\(rsName)\" has timed out progressing.")
    } else if simNow - lastProgress >= deadline {
      progressing = ("False", "ProgressDeadlineExceeded", "ReplicaSet \"\(rsName)\" has timed out progressing.")
    } else if createdNew {
      progressing = ("True", "NewReplicaSetCreated", "Created new replica set \"\(rsName)\"")
    } else {
      progressing = ("True", "ReplicaSetUpdated", "ReplicaSet \"\(rsName)\" is progressing.")
    }
    if !paused && !complete && progressing.1 != "ProgressDeadlineExceeded" {
      schedule(WorkloadSimulator.WorkKey(kind: .deployment, namespace: d.namespace, name: d.name), afterSimSeconds: lastProgress + deadline - simNow + 0.01)
    }
    let availableOK = available >= desired - maxUnavailable
    let conditions: [JSON] = [
      condition("Available", availableOK ? "True" : "False", availableOK ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                availableOK ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                old: oldConditions.first { $0["type"] == "Available" }, touched: false),
      condition("Progressing", progressing.0, progressing.1, progressing.2, old: oldProgressing, touched: progressed),
    ]
    var status: JSON = ["observedGeneration": .int(d.generation), "replicas": .int(replicas), "updatedReplicas": .int(updated),
                        "readyReplicas": .int(ready), "availableReplicas": .int(available), "conditions": .array(conditions)]
    let unavailable = max(0, desired - available)
    if unavailable > 0 { status["unavailableReplicas"] = .int(unavailable) }
    for field in ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"] where status[field] == 0 { status.removeValue(forKey: field) }
    writeStatus(BuiltinResources.deployments, d, status)
  }

  /// A condition whose times change only when it does (or, for lastUpdateTime, on progress).
  func condition(_ type: String, _ status: String, _ reason: String, _ message: String, old: JSON?, touched: Bool) -> JSON {
    let now = JSON.string(wallNow)
    let same = old?["status"].stringValue == status
    let unchanged = same && old?["reason"].stringValue == reason && old?["message"].stringValue == message
    return ["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
            "lastUpdateTime": unchanged && !touched ? (old?["lastUpdateTime"] ?? now) : now,
            "lastTransitionTime": same ? (old?["lastTransitionTime"] ?? now) : now]
  }

  /// Keeps at most `revisionHistoryLimit` old, scaled-down ReplicaSets.
  mutating func cleanUp(_ d: JSON, sets: [JSON], newRS: JSON?) {
    let limit = Int(d["spec"]["revisionHistoryLimit"].intValue ?? 10)
    let idle = sets.filter { $0.name != newRS?.name && ($0["spec"]["replicas"].intValue ?? 0) == 0 && podCounts($0).total == 0 }
      .sorted { SimContext.revision($0) < SimContext.revision($1) }
    guard idle.count > limit else { return }
    for rs in idle.prefix(idle.count - limit) {
      _ = try? store.delete(BuiltinResources.replicaSets, namespace: rs.namespace, name: rs.name)
    }
    invalidate(BuiltinResources.replicaSets, namespace: d.namespace)
  }
}
