/// Rolling back after the switch (rollback = switch the selector back).
extension RolloutMachine {
  /// After the switch: the old side back up (it may have been scaled down) and available, the
  /// intent written, then the Service pointed back at it. It is never pointed at a side that is
  /// not available: if the old side cannot run again, the new side stays live and kcd says so.
  static func switchBack(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout, plan: BlueGreenPlan, service svc: ServiceState,
                         old: Workload?, timedOut: Bool, giveUp: (String) -> RolloutDecision) -> RolloutDecision {
    let kcd = input.kcd
    let stays = "Service \(plan.service) still selects \(plan.idle.name)"
    guard let old else { return giveUp("\(plan.live.name) no longer exists: \(stays)") }
    if let why = input.refusedPatches[old.ref] { return giveUp("could not scale \(old.ref.name) back up: \(why); \(stays)") }
    if let why = input.refusedServicePatches[plan.service] { return giveUp("the API refused to switch Service \(plan.service) back: \(why); \(stays)") }
    if timedOut { return giveUp("the rollback did not complete within \(policy.timeoutSeconds) s: \(stays)") }
    if old.progress.replicas < plan.live.replicas {
      guard input.fresh else { return claim(input, rollout: rollout) }
      return RolloutDecision([.scale(WorkloadScale(ref: old.ref, replicas: plan.live.replicas, reason: "BlueGreenScaledBack",
                                                   note: "kcd scaled \(old.ref.name) back to \(plan.live.replicas) replica(s) to switch Service \(plan.service) back to it"))], .again)
    }
    switch WorkloadKind.deployment.check(old) {
    case .done: break
    case .failed(_, let message): return giveUp("\(old.ref.name) cannot run again (\(message)): \(stays)")
    case .waiting: return RolloutDecision([], .requeue(after: min(input.settings.trackInterval, 5)))
    }
    if plan.step != .switchingBack {
      var s = kcd.status
      s.rollout?.blueGreen?.step = .switchingBack
      s.message = "\(rollout.image) failed (\(rollout.rollback?.reason ?? "")): switching Service \(plan.service) back to \(old.ref.name)"
      let note = "Switching Service \(plan.service) back to \(old.ref.name) (\(BlueGreenPlan.text(plan.live.labels))), which is available again"
      return RolloutDecision([write(s, kcd, priority: .critical), .event(EventNote(.warning, "BlueGreenSwitchingBack", note))], .again)
    }
    guard input.fresh else { return claim(input, rollout: rollout) }
    return RolloutDecision([.patchService(ServicePatch(name: plan.service, resourceVersion: svc.resourceVersion, selector: plan.live.labels,
                                                       reason: "BlueGreenSwitchedBack",
                                                       note: "kcd switched Service \(plan.service) back to \(old.ref.name) (\(BlueGreenPlan.text(plan.live.labels))) after \(rollout.image) failed"))], .again)
  }
}
