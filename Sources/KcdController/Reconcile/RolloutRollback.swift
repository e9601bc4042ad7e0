import KcdCore
import KcdJSON
import KcdKube

/// Putting back what a failed rollout replaced (SPEC §4, `rollback.enabled`): every workload
/// the rollout patched gets its recorded previous images again. The intent is written to
/// `status.rollout.rollback` before the first patch, so a new leader finishes a rollback the old
/// one started; a workload someone else has changed since, or deleted, is left alone.
extension RolloutRun {
  struct RollbackOutcome {
    /// The KCD as last written (its resourceVersion is the precondition of the next write).
    var kcd: JSON
    /// Workloads that run their previous images again.
    var restored: [String]
    /// Why some or all of the rollback did not happen, if it did not.
    var note: String?
  }

  func rollBack(reason: String, message: String, workloads: [JSON]) throws(KubeError) -> RollbackOutcome {
    let rollout = kcd["status"]["rollout"]
    guard let image = rollout["image"].stringValue else { return RollbackOutcome(kcd: kcd, restored: []) }
    var current = kcd
    let now = Timestamps.now()
    if rollout["rollback"].isNull {
      current = try reconciler.updateStatus(kcd) { s in
        s["rollout"]["rollback"] = ["reason": .string(reason), "message": .string(message), "startedAt": .string(Timestamps.microTime(now))]
        s["rollout"]["workloads"] = .array(workloads)
      }
    } else if let started = rollout["rollback"]["startedAt"].stringValue.flatMap(Timestamps.parse), now - started > Double(spec.timeoutSeconds) {
      return RollbackOutcome(kcd: current, restored: [], note: "the rollback did not complete within \(spec.timeoutSeconds) s")
    }
    var restored: [String] = []
    var skipped: [String] = []
    for w in workloads {
      // Only workloads that took the new image are kcd's to put back.
      guard w["generation"].intValue != nil, let name = w["name"].stringValue, let kind = WorkloadKind(rawValue: w["kind"].stringValue ?? "") else { continue }
      let what = "\(kind.rawValue) \(kcd.namespace)/\(name)"
      let previous = (w["previous"].objectValue ?? [:]).compactMapValues(\.stringValue)
      let plan = ImagePlan(containers: w["containers"].arrayValue?.compactMap(\.stringValue) ?? [], image: image)
      let live: JSON
      do { live = try client.get(kind.resource, namespace: kcd.namespace, name: name) } catch {
        if error.isNotFound { continue }
        throw error
      }
      let template = kind.template(of: live)
      let images = plan.restorable(in: template, previous: previous)
      if images.isEmpty {
        // Put back by an earlier pass of this rollback (before a restart), or changed by someone else.
        let now = ImagePlan.images(in: template, containers: Array(previous.keys))
        if !previous.isEmpty && previous.allSatisfy({ now[$0.key] == $0.value }) { restored.append(what) }
        continue
      }
      let described = images.keys.sorted().map { "\($0)=\(images[$0]!)" }.joined(separator: ", ")
      let patch = ImagePlan.patch(images: images.keys.sorted().map { ($0, images[$0]!) },
                                  changeCause: "kcd: \(kcd.namespace)/\(kcd.name) rolled back \(image) (\(reason))", templatePath: kind.templatePath)
      do throws(KubeError) {
        let patched = try client.patch(kind.resource, namespace: kcd.namespace, name: name, patch, type: .strategic)
        reconciler.events.record(patched, type: "Warning", reason: "RolledBack", message: "kcd restored \(described) after \(image) failed (\(reason))")
        restored.append(what)
      } catch {
        // A refusal retrying cannot fix is reported; anything else is retried by the queue.
        guard (400..<500).contains(error.status) && error.status != 409 && error.status != 429 else { throw error }
        skipped.append("\(what): \(error.description)")
      }
    }
    return RollbackOutcome(kcd: current, restored: restored, note: skipped.isEmpty ? nil : "could not roll back \(skipped.joined(separator: "; "))")
  }
}
