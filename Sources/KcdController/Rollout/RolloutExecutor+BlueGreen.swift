import KcdJSON
import KcdKube

/// What blue-green adds to the executor: Services read by GET (fresh, in the pass that decides
/// on them), their selectors merge-patched with the read copy's resourceVersion as precondition,
/// Deployments scaled by a merge patch of `spec.replicas`. Changes are refused, like image
/// patches, before a precondition-carrying status write of the same pass succeeded.
extension RolloutExecutor {
  func readService(_ name: String, input: inout RolloutInput) throws(KubeError) {
    do {
      let o = try client.get(.services, namespace: input.kcd.namespace, name: name, options: KubeCallOptions.normal.withoutWaiting)
      input.services[name] = .found(ServiceState(json: o))
    } catch {
      if error.isNotFound {
        input.services[name] = .absent
      } else if error.status == 403 {
        input.services[name] = .unreadable(error.description)
      } else {
        throw error
      }
    }
  }

  func patchService(_ p: ServicePatch, input: inout RolloutInput) throws(KubeError) {
    try requireFresh(input, "Service \(p.name)")
    let body: JSON = ["metadata": ["resourceVersion": .string(p.resourceVersion)], "spec": ["selector": .object(p.selector.mapValues(JSON.string))]]
    // Whatever happens, the next decision reads the Service again: a switch counts once read back.
    input.services[p.name] = nil
    do {
      let o = try client.patch(.services, namespace: input.kcd.namespace, name: p.name, body, type: .merge, options: KubeCallOptions.critical.withoutWaiting)
      let svc = ServiceState(json: o)
      let ref = ObjectReference(kind: "Service", apiVersion: "v1", namespace: input.kcd.namespace, name: p.name, uid: svc.uid, resourceVersion: svc.resourceVersion)
      let type = p.reason == "BlueGreenSwitchedBack" ? "Warning" : "Normal"
      events.record(ref, type: type, reason: p.reason, message: p.note)
      events.record(input.kcd.ref, type: type, reason: p.reason, message: p.note)
      log.info("service selector patched", [("kcd", input.kcd.key), ("service", p.name), ("reason", p.reason)])
    } catch {
      // 409: the Service changed since it was read; the machine reads it again and decides anew.
      if error.isConflict { return }
      guard RolloutExecutor.refusedForGood(error) else { throw error }
      input.refusedServicePatches[p.name] = error.description
    }
  }

  func scale(_ s: WorkloadScale, input: inout RolloutInput) throws(KubeError) {
    try requireFresh(input, s.ref.description)
    let body: JSON = ["spec": ["replicas": .int(s.replicas)]]
    do {
      let o = try client.patch(resources.resource(s.ref.kind), namespace: s.ref.namespace, name: s.ref.name, body, type: .merge,
                               options: KubeCallOptions.critical.withoutWaiting)
      let w = Workload(json: o, kind: s.ref.kind)
      if var list = input.workloads {
        list.removeAll { $0.ref == s.ref }
        list.append(w)
        input.workloads = list
      }
      if let rollout = input.kcd.status.rollout { generations.set(input.kcd.key, rollout: rollout.id, s.ref, w.generation) }
      let type = s.reason == "BlueGreenScaledBack" ? "Warning" : "Normal"
      events.record(w.objectReference(resources), type: type, reason: s.reason, message: s.note)
      events.record(input.kcd.ref, type: type, reason: s.reason, message: s.note)
    } catch {
      guard RolloutExecutor.refusedForGood(error) else { throw error }
      input.refusedPatches[s.ref] = error.description
    }
  }

  func requireFresh(_ input: RolloutInput, _ what: String) throws(KubeError) {
    guard !input.fresh else { return }
    log.error("refused to change from an unconfirmed copy", [("kcd", input.kcd.key), ("object", what)])
    throw KubeError(status: 409, reason: "Conflict", message: "change from an unconfirmed copy refused")
  }

  /// Refusals that retrying cannot fix (RBAC, admission, validation, gone).
  static func refusedForGood(_ error: KubeError) -> Bool { (400..<500).contains(error.status) && error.status != 409 && error.status != 429 }
}
