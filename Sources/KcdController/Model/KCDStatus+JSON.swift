import KcdCore
import KcdJSON

/// `status` on the wire. Times: RFC 3339 whole seconds where people read them
/// (currStatusTime, conditions, history), MicroTime where kcd computes with them.
extension KCDStatus {
  public init(json s: JSON) {
    self.init()
    currVersion = s["currVersion"].stringValue
    currDigest = s["currDigest"].stringValue
    currStatus = s["currStatus"].stringValue.flatMap(Phase.init(rawValue:))
    currStatusTime = s["currStatusTime"].stringValue.flatMap(Timestamps.parse)
    successVersion = s["successVersion"].stringValue
    successDigest = s["successDigest"].stringValue
    failedDigest = s["failedDigest"].stringValue
    observedGeneration = s["observedGeneration"].intValue
    message = s["message"].stringValue
    conditions = (s["conditions"].arrayValue ?? []).compactMap(Condition.init(json:))
    if let source = s["lastEvent"]["source"].stringValue, let id = s["lastEvent"]["id"].stringValue {
      lastEvent = LastEvent(source: source, id: id, receivedAt: s["lastEvent"]["receivedAt"].stringValue.flatMap(Timestamps.parse) ?? 0)
    }
    history = (s["history"].arrayValue ?? []).compactMap(RolloutRecord.init(json:))
    rollout = ActiveRollout(json: s["rollout"])
    verification = Verification(json: s["verification"])
    approval = PendingApproval(json: s["approval"])
    historySynced = s["historySynced"].stringValue
    configSynced = s["configSynced"].stringValue
  }

  public var json: JSON {
    var s: JSON = [:]
    s["currVersion"] = currVersion.map(JSON.string) ?? .null
    s["currDigest"] = currDigest.map(JSON.string) ?? .null
    s["currStatus"] = currStatus.map { .string($0.rawValue) } ?? .null
    s["currStatusTime"] = currStatusTime.map { .string(Timestamps.rfc3339($0)) } ?? .null
    s["successVersion"] = successVersion.map(JSON.string) ?? .null
    s["successDigest"] = successDigest.map(JSON.string) ?? .null
    s["failedDigest"] = failedDigest.map(JSON.string) ?? .null
    s["observedGeneration"] = observedGeneration.map(JSON.int) ?? .null
    s["message"] = message.map(JSON.string) ?? .null
    if !conditions.isEmpty { s["conditions"] = .array(conditions.map(\.json)) }
    if let e = lastEvent {
      s["lastEvent"] = ["source": .string(e.source), "id": .string(e.id), "receivedAt": .string(Timestamps.microTime(e.receivedAt))]
    }
    if !history.isEmpty { s["history"] = .array(history.map(\.json)) }
    if let rollout { s["rollout"] = rollout.json }
    if let verification { s["verification"] = verification.json }
    if let approval { s["approval"] = approval.json }
    s["historySynced"] = historySynced.map(JSON.string) ?? .null
    s["configSynced"] = configSynced.map(JSON.string) ?? .null
    if case .object(let fields) = s { return .object(fields.filter { !$0.value.isNull }) }
    return s
  }
}

extension Condition {
  init?(json c: JSON) {
    guard let type = c["type"].stringValue, let status = c["status"].stringValue.flatMap(Status.init(rawValue:)) else { return nil }
    self.init(type: type, status: status, reason: c["reason"].stringValue ?? "", message: c["message"].stringValue ?? "",
              observedGeneration: c["observedGeneration"].intValue ?? 0,
              lastTransitionTime: c["lastTransitionTime"].stringValue.flatMap(Timestamps.parse) ?? 0)
  }

  var json: JSON {
    ["type": .string(type), "status": .string(status.rawValue), "reason": .string(reason.isEmpty ? "Unknown" : reason), "message": .string(message),
     "observedGeneration": .int(observedGeneration), "lastTransitionTime": .string(Timestamps.rfc3339(lastTransitionTime))]
  }
}

extension RolloutRecord {
  init?(json h: JSON) {
    guard let digest = h["digest"].stringValue else { return nil }
    self.init(version: h["version"].stringValue ?? "", digest: digest,
              result: h["result"].stringValue.flatMap(RolloutResult.init(rawValue:)) ?? .failed,
              startedAt: h["startedAt"].stringValue.flatMap(Timestamps.parse) ?? 0,
              finishedAt: h["finishedAt"].stringValue.flatMap(Timestamps.parse), trigger: h["trigger"].stringValue ?? "")
    approvedBy = h["approvedBy"].stringValue
  }

  var json: JSON {
    var h: JSON = ["version": .string(version), "digest": .string(digest), "result": .string(result.rawValue),
                   "startedAt": .string(Timestamps.rfc3339(startedAt)), "trigger": .string(trigger)]
    if let finishedAt { h["finishedAt"] = .string(Timestamps.rfc3339(finishedAt)) }
    if let approvedBy { h["approvedBy"] = .string(approvedBy) }
    return h
  }
}

extension ActiveRollout {
  init?(json r: JSON) {
    guard let image = r["image"].stringValue, let digest = r["digest"].stringValue else { return nil }
    self.init(id: r["id"].stringValue ?? "", trigger: r["trigger"].stringValue ?? "", image: image, digest: digest,
              version: r["version"].stringValue ?? "", startedAt: r["startedAt"].stringValue.flatMap(Timestamps.parse) ?? 0,
              receivedAt: r["receivedAt"].stringValue.flatMap(Timestamps.parse) ?? 0,
              workloads: (r["workloads"].arrayValue ?? []).compactMap(RolloutTarget.init(json:)))
    if let reason = r["rollback"]["reason"].stringValue {
      rollback = RollbackIntent(reason: reason, message: r["rollback"]["message"].stringValue ?? reason,
                                startedAt: r["rollback"]["startedAt"].stringValue.flatMap(Timestamps.parse) ?? startedAt)
    }
    finishedAt = r["finishedAt"].stringValue.flatMap(Timestamps.parse)
    result = r["result"].stringValue.flatMap(RolloutResult.init(rawValue:))
    claims = Int(r["claims"].intValue ?? 0)
    canaryPassed = r["canaryPassed"].boolValue ?? false
    blueGreen = BlueGreenPlan(json: r["blueGreen"])
    if let timeout = r["timeoutSeconds"].intValue, timeout > 0, timeout <= 86_400 * 7 {
      policy = RolloutPolicy(timeoutSeconds: Int(timeout), rollbackEnabled: r["rollbackEnabled"].boolValue ?? true)
    }
  }

  var json: JSON {
    var r: JSON = ["id": .string(id), "trigger": .string(trigger), "image": .string(image), "digest": .string(digest), "version": .string(version),
                   "startedAt": .string(Timestamps.microTime(startedAt)), "receivedAt": .string(Timestamps.microTime(receivedAt)),
                   "workloads": .array(workloads.map(\.json))]
    if let rollback {
      r["rollback"] = ["reason": .string(rollback.reason), "message": .string(rollback.message),
                       "startedAt": .string(Timestamps.microTime(rollback.startedAt))]
    }
    if let finishedAt { r["finishedAt"] = .string(Timestamps.microTime(finishedAt)) }
    if let result { r["result"] = .string(result.rawValue) }
    if claims > 0 { r["claims"] = .int(Int64(claims)) }
    if canaryPassed { r["canaryPassed"] = true }
    if let blueGreen { r["blueGreen"] = blueGreen.json }
    if let policy {
      r["timeoutSeconds"] = .int(Int64(policy.timeoutSeconds))
      r["rollbackEnabled"] = .bool(policy.rollbackEnabled)
    }
    return r
  }
}

extension RolloutTarget {
  init?(json w: JSON) {
    guard let name = w["name"].stringValue else { return nil }
    self.init(kind: WorkloadKind(rawValue: w["kind"].stringValue ?? "") ?? .deployment, name: name,
              containers: w["containers"].arrayValue?.compactMap(\.stringValue) ?? [],
              previous: (w["previous"].objectValue ?? [:]).compactMapValues(\.stringValue), generation: w["generation"].intValue,
              canary: w["canary"].boolValue ?? false)
  }

  var json: JSON {
    var w: JSON = ["kind": .string(kind.rawValue), "name": .string(name), "containers": .array(containers.map { .string($0) }),
                   "previous": .object(previous.mapValues { .string($0) })]
    if let generation { w["generation"] = .int(generation) }
    if canary { w["canary"] = true }
    return w
  }
}
