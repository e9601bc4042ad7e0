import KcdJSON

extension Workload {
  /// Decodes what kcd keeps of a workload object of `kind`.
  public init(json o: JSON, kind: WorkloadKind) {
    let m = o["metadata"]
    let template = kind.template(of: o)
    let podSpec = template["spec"]
    let selector = kind == .cronJob ? o[path: ["spec", "jobTemplate", "spec", "selector"]] : o["spec"]["selector"]
    self.init(
      ref: WorkloadRef(kind: kind, namespace: m["namespace"].stringValue ?? "", name: m["name"].stringValue ?? ""),
      uid: m["uid"].stringValue ?? "", resourceVersion: m["resourceVersion"].stringValue ?? "", generation: m["generation"].intValue ?? 0,
      labels: (m["labels"].objectValue ?? [:]).compactMapValues(\.stringValue),
      isControlled: (m["ownerReferences"].arrayValue ?? []).contains { $0["controller"].boolValue == true },
      containers: (podSpec["containers"].arrayValue ?? []).compactMap { c in
        guard let name = c["name"].stringValue else { return nil }
        return Container(name: name, image: c["image"].stringValue ?? "")
      },
      podLabels: (selector["matchLabels"].objectValue ?? [:]).compactMapValues(\.stringValue),
      pullSecrets: (podSpec["imagePullSecrets"].arrayValue ?? []).compactMap { $0["name"].stringValue },
      serviceAccount: podSpec["serviceAccountName"].stringValue, progress: WorkloadProgress(json: o),
      templateLabels: (template["metadata"]["labels"].objectValue ?? [:]).compactMapValues(\.stringValue))
  }
}

extension WorkloadProgress {
  init(json o: JSON) {
    self.init()
    let spec = o["spec"], status = o["status"]
    observedGeneration = status["observedGeneration"].intValue ?? 0
    replicas = spec["replicas"].intValue ?? 1
    currentReplicas = status["replicas"].intValue ?? 0
    updatedReplicas = status["updatedReplicas"].intValue ?? 0
    readyReplicas = status["readyReplicas"].intValue ?? 0
    availableReplicas = status["availableReplicas"].intValue ?? 0
    let conditions = status["conditions"].arrayValue ?? []
    if let p = conditions.first(where: { $0["type"] == "Progressing" }), p["reason"] == "ProgressDeadlineExceeded" {
      progressDeadlineExceeded = p["message"].stringValue ?? ""
    }
    if let r = conditions.first(where: { $0["type"] == "ReplicaFailure" }), r["status"] == "True" {
      replicaFailure = r["message"].stringValue ?? "replica failure"
    }
    updateStrategy = spec["updateStrategy"]["type"].stringValue
    partition = spec["updateStrategy"]["rollingUpdate"]["partition"].intValue ?? 0
    desiredNumberScheduled = status["desiredNumberScheduled"].intValue ?? 0
    updatedNumberScheduled = status["updatedNumberScheduled"].intValue ?? 0
    numberAvailable = status["numberAvailable"].intValue ?? 0
  }
}
