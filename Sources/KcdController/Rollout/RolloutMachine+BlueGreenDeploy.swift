/// The Deploying step of a ServiceBlueGreen rollout: the idle side is prepared while the live
/// Service stays where it is.
extension RolloutMachine {
  /// Deploying: whatever of the idle side's image, the verification Service and the idle side's
  /// replicas is not set yet is set (from a fresh copy only); then the idle side is waited for.
  static func deployIdle(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout, plan: BlueGreenPlan, target: RolloutTarget,
                         idle: Workload) -> RolloutDecision {
    let kcd = input.kcd
    let age = input.now - rollout.startedAt
    func fail(_ reason: String, _ message: String) -> RolloutDecision {
      failBlueGreen(input, policy: policy, rollout: rollout, plan: plan, reason: reason, message: message + "; Service \(plan.service) was not switched")
    }
    if let why = input.refusedPatches[idle.ref] { return fail("PatchRejected", "\(idle.ref): the API refused the change: \(why)") }
    var changes: [RolloutAction] = []
    let images = ImagePlan(containers: target.containers, image: rollout.image)
    if !images.isApplied(to: idle) {
      // Patched and changed since, or no longer what it ran at the start: not kcd's to undo.
      if target.generation != nil || input.patchedGenerations[idle.ref] != nil || idle.images(of: target.containers) != target.previous {
        return fail("Superseded", "\(idle.ref) was changed to another image during the rollout")
      }
      changes.append(.patch(WorkloadPatch(ref: idle.ref, images: target.containers.map { ContainerImage($0, rollout.image) },
                                          changeCause: "kcd: \(kcd.key) rolled out \(rollout.image) (blue-green, idle side)", purpose: .rollout,
                                          receivedAt: rollout.receivedAt,
                                          note: "kcd set \(target.containers.joined(separator: ", ")) of the idle side \(idle.ref.name) to \(rollout.image); Service \(plan.service) still selects \(plan.live.name)",
                                          reason: "BlueGreenIdlePatched")))
    }
    if idle.progress.replicas < plan.replicas {
      changes.append(.scale(WorkloadScale(ref: idle.ref, replicas: plan.replicas, reason: "BlueGreenIdleScaled",
                                          note: "kcd scaled the idle side \(idle.ref.name) from \(idle.progress.replicas) to \(plan.replicas) replica(s) (the live side's) before the switch")))
    }
    if let v = plan.verificationService {
      guard let read = input.services[v] else { return RolloutDecision([.readService(v)], .again) }
      guard let svc = read.service else { return fail("ServiceUnavailable", read.problem(v, namespace: kcd.namespace) ?? v) }
      if let why = input.refusedServicePatches[v] { return fail("PatchRejected", "Service \(v): the API refused the change: \(why)") }
      if !svc.selects(plan.idle.labels) {
        changes.append(.patchService(ServicePatch(name: v, resourceVersion: svc.resourceVersion, selector: plan.idle.labels, reason: "BlueGreenVerificationPointed",
                                                  note: "kcd pointed the verification Service \(v) at the idle side \(idle.ref.name) (\(BlueGreenPlan.text(plan.idle.labels)))")))
      }
    }
    if !changes.isEmpty {
      if age > policy.timeout + 30 { return fail("Timeout", "rollout did not finish within \(policy.timeoutSeconds) s") }
      // Nothing is changed from a copy that no precondition-carrying write has confirmed.
      guard input.fresh else { return claim(input, rollout: rollout) }
      return RolloutDecision(changes, .again)
    }
    switch awaitAvailable(input, policy: policy, rollout: rollout, idle) {
    case .failed(let reason, let message): return fail(reason, message)
    case .waiting(let decision): return decision
    case .available:
      // strategy.verify: the checks run against the idle side (the verification Service points
      // at it) before the live Service is switched.
      switch stageChecks(input, rollout: rollout, steps: kcd.spec?.postVerify ?? [], phase: .afterRollout, policy: policy, targets: rollout.workloads) {
      case .waiting(let decision): return decision
      case .failed(let why): return fail("VerificationFailed", why)
      case .passed: break
      }
      var s = kcd.status
      s.verification = nil
      s.rollout?.blueGreen?.step = .switching
      s.rollout?.workloads = withKnownGenerations(rollout.workloads, input, rollout)
      s.message = "\(idle.ref.name) runs \(rollout.image) with \(idle.progress.availableReplicas) replica(s) available; switching Service \(plan.service) to it"
      s.conditions.set("Progressing", .true, reason: "BlueGreenSwitching", message: s.message ?? "", generation: kcd.generation, now: input.now)
      let note = "Deployment \(idle.ref.name) is available (\(idle.progress.availableReplicas) replica(s) of \(rollout.image)); switching Service \(plan.service) to it"
      return RolloutDecision([write(s, kcd, priority: .critical), .event(EventNote(.normal, "BlueGreenIdleAvailable", note)),
                              .event(EventNote(on: idle.ref, .normal, "BlueGreenIdleAvailable", note))], .again)
    }
  }
}
