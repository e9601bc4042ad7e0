import KcdCore
import KcdJSON

extension BlueGreenPlan {
  init?(json p: JSON) {
    guard let service = p["service"].stringValue, let live = Side(json: p["live"]), let idle = Side(json: p["idle"]) else { return nil }
    self.init(service: service, verificationService: p["verificationService"].stringValue, labelNames: (p["labelNames"].arrayValue ?? []).compactMap(\.stringValue),
              scaleDown: p["scaleDown"].boolValue ?? false, live: live, idle: idle,
              step: p["step"].stringValue.flatMap(Step.init(rawValue:)) ?? .deploying)
    if let r = p["replicas"].intValue, r > 0 { replicas = r }
    switchedAt = p["switchedAt"].stringValue.flatMap(Timestamps.parse)
  }

  var json: JSON {
    var p: JSON = ["service": .string(service), "labelNames": .array(labelNames.map(JSON.string)), "scaleDown": .bool(scaleDown), "live": live.json,
                   "idle": idle.json, "replicas": .int(replicas), "step": .string(step.rawValue)]
    if let verificationService { p["verificationService"] = .string(verificationService) }
    if let switchedAt { p["switchedAt"] = .string(Timestamps.microTime(switchedAt)) }
    return p
  }
}

extension BlueGreenPlan.Side {
  init?(json s: JSON) {
    guard let name = s["name"].stringValue else { return nil }
    self.init(name: name, labels: (s["labels"].objectValue ?? [:]).compactMapValues(\.stringValue), replicas: s["replicas"].intValue ?? 1)
  }

  var json: JSON { ["name": .string(name), "labels": .object(labels.mapValues(JSON.string)), "replicas": .int(replicas)] }
}
