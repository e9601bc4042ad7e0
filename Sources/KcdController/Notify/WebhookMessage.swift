import KcdCore
import KcdJSON

/// The generic webhook's body: the outcome as JSON (`type: kcd.rollout.v1`), signed with
/// Standard Webhooks by the sender. Absent values are left out, never null.
enum WebhookMessage {
  static let type = "kcd.rollout.v1"

  static func body(_ o: RolloutOutcome, dashboard: String?) -> JSON {
    var j: JSON = [
      "type": .string(type), "id": .string(messageID(o)), "kcd": ["namespace": .string(o.namespace), "name": .string(o.name)],
      "result": .string(o.result.rawValue), "reason": .string(o.reason), "message": .string(o.message),
      "repository": .string(o.repository), "version": .string(o.version), "digest": .string(o.digest), "image": .string(o.image),
      "workloads": .array(o.workloads.map { .string($0) }), "trigger": .string(o.trigger),
      "startedAt": .string(Timestamps.rfc3339(o.startedAt)), "finishedAt": .string(Timestamps.rfc3339(o.finishedAt)),
    ]
    if let by = o.approvedBy { j["approvedBy"] = .string(by) }
    if let v = o.previousVersion { j["previousVersion"] = .string(v) }
    if let d = o.previousDigest { j["previousDigest"] = .string(d) }
    if let link = dashboard { j["dashboardURL"] = .string(link) }
    return j
  }

  /// `webhook-id`: the same for every attempt of one outcome.
  static func messageID(_ o: RolloutOutcome) -> String { "kcdn_" + o.id.prefix(32) }
}
