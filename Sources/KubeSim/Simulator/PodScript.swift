import KcdJSON

/// What a pod does, scripted by its image reference (documented in KubeSim's README):
/// `fail-progress` never starts, `crashloop` crash-loops, `pull-error` cannot pull, anything else
/// becomes Ready after the start-up delay.
enum PodScript: Equatable {
  case healthy
  case neverStarts
  case crashLoop
  case pullError

  init(images: [String]) {
    if images.contains(where: { $0.contains("fail-progress") }) { self = .neverStarts }
    else if images.contains(where: { $0.contains("crashloop") }) { self = .crashLoop }
    else if images.contains(where: { $0.contains("pull-error") }) { self = .pullError }
    else { self = .healthy }
  }

  init(pod: JSON) {
    self.init(images: (pod["spec"]["containers"].arrayValue ?? []).compactMap { $0["image"].stringValue })
  }

  /// A pod's status at this moment of its life (`started` says the start-up delay has passed).
  static func status(for pod: JSON, started: Bool, node: String, now: String) -> JSON {
    let script = PodScript(pod: pod)
    let ready = script == .healthy && started
    let containers = pod["spec"]["containers"].arrayValue ?? []
    let statuses: [JSON] = containers.map { c in
      let image = c["image"].stringValue ?? ""
      var s: JSON = ["name": c["name"], "image": .string(image), "imageID": "", "ready": .bool(ready), "started": .bool(ready), "restartCount": 0]
      switch (script, started) {
      case (.healthy, true):
        s["state"] = ["running": ["startedAt": .string(now)]]
        s["imageID"] = .string(image.contains("@") ? image : image + "@sha256:" + String(repeating: "0", count: 64))
      case (.crashLoop, true):
        s["state"] = ["waiting": ["reason": "CrashLoopBackOff", "message": "back-off 10s restarting failed container"]]
        s["lastState"] = ["terminated": ["exitCode": 1, "reason": "Error", "startedAt": .string(now), "finishedAt": .string(now)]]
        s["restartCount"] = 3
      case (.pullError, true):
        s["state"] = ["waiting": ["reason": "ImagePullBackOff", "message": "Back-off pulling image \"\(image)\""]]
      default:
        s["state"] = ["waiting": ["reason": "ContainerCreating"]]
      }
      return s
    }
    let running = started && (script == .healthy || script == .crashLoop)
    func condition(_ type: String, _ ok: Bool) -> JSON {
      ["type": .string(type), "status": ok ? "True" : "False", "lastProbeTime": nil, "lastTransitionTime": .string(now)]
    }
    return [
      "phase": running ? "Running" : "Pending",
      "conditions": [condition("PodScheduled", true), condition("Initialized", true), condition("ContainersReady", ready), condition("Ready", ready)],
      "containerStatuses": .array(statuses),
      "hostIP": "10.0.0.1", "podIP": running ? "10.244.0.10" : nil, "startTime": .string(now), "qosClass": "BestEffort",
      "nodeName": .string(node),
    ]
  }

  static func isReady(_ pod: JSON) -> Bool {
    (pod["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
  }
}
