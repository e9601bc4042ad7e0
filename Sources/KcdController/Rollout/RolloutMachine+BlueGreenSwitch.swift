/// The Switching and Switched steps of a ServiceBlueGreen rollout: the live Service is switched
/// once (decided on a fresh read, recorded on a read back), then the old side is scaled down.
extension RolloutMachine {
  /// Switching: the live Service is read; already on the new side → recorded (the patch landed,
  /// perhaps sent by a kcd that died before recording it); still on the old side → patched,
  /// if the new side is available now; on neither → someone else changed it: not switched.
  static func switchLive(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout, plan: BlueGreenPlan, idle: Workload) -> RolloutDecision {
    let kcd = input.kcd
    func fail(_ reason: String, _ message: String) -> RolloutDecision {
      failBlueGreen(input, policy: policy, rollout: rollout, plan: plan, reason: reason, message: message)
    }
    guard let read = input.services[plan.service] else { return RolloutDecision([.readService(plan.service)], .again) }
    guard let svc = read.service else { return fail("ServiceUnavailable", (read.problem(plan.service, namespace: kcd.namespace) ?? "") + "; not switched") }
    if svc.selects(plan.idle.labels) {
      var s = kcd.status
      s.rollout?.blueGreen?.step = .switched
      s.rollout?.blueGreen?.switchedAt = input.now
      s.message = "Service \(plan.service) selects \(idle.ref.name) (\(BlueGreenPlan.text(plan.idle.labels))), which runs \(rollout.image)"
      s.conditions.set("Progressing", .true, reason: "BlueGreenSwitched", message: s.message ?? "", generation: kcd.generation, now: input.now)
      let note = "Read back: Service \(plan.service) selects \(idle.ref.name) (\(BlueGreenPlan.text(plan.idle.labels))) running \(rollout.image)"
      return RolloutDecision([write(s, kcd), .event(EventNote(.normal, "BlueGreenSwitchConfirmed", note)),
                              .event(EventNote(on: idle.ref, .normal, "BlueGreenSwitchConfirmed", note))], .again)
    }
    guard svc.selects(plan.live.labels) else {
      return fail("ServiceChanged", "Service \(plan.service) selects neither side (selector \(BlueGreenPlan.text(svc.selector))): it was changed during the rollout; not switched")
    }
    if let why = input.refusedServicePatches[plan.service] { return fail("PatchRejected", "Service \(plan.service): the API refused the switch: \(why); not switched") }
    // A resumed pass may come much later: the new side must run the image and be available now.
    if let target = rollout.workloads.first, !ImagePlan(containers: target.containers, image: rollout.image).isApplied(to: idle) {
      return fail("Superseded", "\(idle.ref) was changed to another image before the switch; not switched")
    }
    switch awaitAvailable(input, policy: policy, rollout: rollout, idle) {
    case .failed(let reason, let message): return fail(reason, message + "; Service \(plan.service) was not switched")
    case .waiting(let decision): return decision
    case .available: break
    }
    if input.now - rollout.startedAt > policy.timeout + 30 {
      return fail("Timeout", "Service \(plan.service) could not be switched within \(policy.timeoutSeconds) s; not switched")
    }
    guard input.fresh else { return claim(input, rollout: rollout) }
    let note = "kcd switched Service \(plan.service) from \(plan.live.name) (\(BlueGreenPlan.text(plan.live.labels))) to \(idle.ref.name) (\(BlueGreenPlan.text(plan.idle.labels))), which runs \(rollout.image)"
    return RolloutDecision([.patchService(ServicePatch(name: plan.service, resourceVersion: svc.resourceVersion, selector: plan.idle.labels,
                                                       reason: "BlueGreenSwitched", note: note))], .again)
  }

  /// Switched: the new side must stay available; the old side goes to zero when asked; then
  /// the rollout has succeeded.
  static func afterSwitch(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout, plan: BlueGreenPlan, new: Workload,
                          old: Workload?) -> RolloutDecision {
    switch awaitAvailable(input, policy: policy, rollout: rollout, new) {
    case .failed(let reason, let message):
      return failBlueGreen(input, policy: policy, rollout: rollout, plan: plan, reason: reason, message: message + " after Service \(plan.service) was switched to it")
    case .waiting(let decision): return decision
    case .available: break
    }
    // strategy.verify once more, now through the live Service, while the old side still runs:
    // a failure switches back.
    switch stageChecks(input, rollout: rollout, steps: input.kcd.spec?.postVerify ?? [], phase: .afterSwitch, policy: policy, targets: rollout.workloads) {
    case .waiting(let decision): return decision
    case .failed(let why):
      return failBlueGreen(input, policy: policy, rollout: rollout, plan: plan, reason: "VerificationFailed", message: why + " after Service \(plan.service) was switched")
    case .passed: break
    }
    var tail = "; \(plan.live.name) no longer exists"
    if let old {
      tail = "; \(old.ref.name) keeps \(old.progress.replicas) replica(s)"
      if plan.scaleDown, let why = input.refusedPatches[old.ref] {
        tail = "; \(old.ref.name) could not be scaled down: \(why)"
      } else if plan.scaleDown, old.progress.replicas > 0 {
        guard input.fresh else { return claim(input, rollout: rollout) }
        return RolloutDecision([.scale(WorkloadScale(ref: old.ref, replicas: 0, reason: "BlueGreenScaledDown",
                                                     note: "kcd scaled the old side \(old.ref.name) to 0 after Service \(plan.service) switched to \(new.ref.name)"))], .again)
      } else if plan.scaleDown {
        tail = "; \(old.ref.name) scaled to 0"
      }
    }
    let message = "\(rollout.image) is live: Service \(plan.service) selects \(new.ref.name) (\(BlueGreenPlan.text(plan.idle.labels)), \(new.progress.availableReplicas) replica(s) available)" + tail
    return finish(input, rollout: rollout, targets: rollout.workloads, result: .success, reason: "RolloutSucceeded", message: message)
  }
}
