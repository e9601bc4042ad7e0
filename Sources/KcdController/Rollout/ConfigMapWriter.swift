import KcdCore
import KcdJSON
import KcdKube

/// Writes keys of a ConfigMap kcd keeps (history, the version for `spec.config`): created when
/// absent, else merge-patched with the resourceVersion read as precondition (retried on a
/// conflict), so a concurrent writer's keys are never lost.
struct ConfigMapWriter {
  let client: KubeClient

  /// Applies `change` to the ConfigMap's data and writes it when it changed.
  func update(namespace: String, name: String, kcd: String, _ change: ([String: String]) -> [String: String]) throws(KubeError) {
    let options = KubeCallOptions.background
    for _ in 0..<5 {
      let current: JSON?
      do throws(KubeError) { current = try client.get(.configMaps, namespace: namespace, name: name, options: options) } catch {
        guard error.isNotFound else { throw error }
        current = nil
      }
      let data = (current?["data"].objectValue ?? [:]).compactMapValues(\.stringValue)
      let wanted = change(data)
      guard wanted != data else { return }
      do throws(KubeError) {
        if let current {
          var patch: JSON = ["metadata": ["resourceVersion": current["metadata"]["resourceVersion"]]]
          patch["data"] = .object(wanted.mapValues { .string($0) })
          _ = try client.patch(.configMaps, namespace: namespace, name: name, patch, type: .merge, options: options)
        } else {
          let object: JSON = ["apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": ["name": .string(name), "namespace": .string(namespace),
                                           "labels": ["app.kubernetes.io/managed-by": "kcd"], "annotations": ["kcd.dev/kcd": .string(kcd)]],
                              "data": .object(wanted.mapValues { .string($0) })]
          _ = try client.create(.configMaps, namespace: namespace, object, options: options)
        }
        return
      } catch {
        if error.isConflict || error.status == 409 { continue }
        throw error
      }
    }
    throw KubeError(status: 409, reason: "Conflict", message: "ConfigMap \(namespace)/\(name) kept changing", retryAfterSeconds: 1)
  }

  /// The history ConfigMap's `history` key: a JSON array, newest first, `limit` entries at most.
  static func mergedHistory(_ existing: String?, _ records: [RolloutRecord], limit: Int) -> String {
    var entries = existing.flatMap { try? JSON.parse(Array($0.utf8)) }?.arrayValue ?? []
    for r in records.reversed() {
      let j = r.json
      entries.removeAll { $0["trigger"] == j["trigger"] && $0["digest"] == j["digest"] }
      entries.insert(j, at: 0)
    }
    entries.sort { ($0["startedAt"].stringValue ?? "") > ($1["startedAt"].stringValue ?? "") }
    return JSON.array(Array(entries.prefix(limit))).text
  }
}
