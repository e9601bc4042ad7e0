import KcdCore
import KcdJSON

/// Builders for the KCD status: conditions in metav1.Condition shape (lastTransitionTime moves
/// only when the status does) and the short history.
enum KCDStatus {
  static func condition(_ type: String, _ status: String, reason: String, message: String, generation: Int64, previous: JSON) -> JSON {
    let old = (previous["conditions"].arrayValue ?? []).first { $0["type"].stringValue == type }
    let now = JSON.string(Timestamps.rfc3339(Timestamps.now()))
    let changed = old?["status"].stringValue != status
    return ["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
            "observedGeneration": .int(generation), "lastTransitionTime": changed ? now : (old?["lastTransitionTime"] ?? now)]
  }

  /// Replaces (or adds) conditions by type, keeping the others.
  static func set(_ conditions: [JSON], in status: inout JSON) {
    var list = status["conditions"].arrayValue ?? []
    for c in conditions {
      if let i = list.firstIndex(where: { $0["type"] == c["type"] }) { list[i] = c } else { list.append(c) }
    }
    status["conditions"] = .array(list)
  }

  static let historyLimit = 10

  /// Adds or updates the history entry of a rollout (by its trigger), newest first.
  static func record(history entry: JSON, in status: inout JSON) {
    var list = status["history"].arrayValue ?? []
    if let i = list.firstIndex(where: { $0["trigger"] == entry["trigger"] && $0["digest"] == entry["digest"] }) {
      list[i] = entry
    } else {
      list.insert(entry, at: 0)
    }
    status["history"] = .array(Array(list.prefix(historyLimit)))
  }
}
