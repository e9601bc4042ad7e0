/// Ending a failed ServiceBlueGreen rollout (docs/blue-green.md). With `rollback.enabled` the
/// intent is written first; then what to undo is read off the live Service, not assumed:
/// - it selects the new side (the switch happened): the old side is scaled back up if it was
///   scaled down and waited for, the step SwitchingBack is written, and the Service is pointed
///   back at it (rollback = switch the selector back);
/// - it does not: the idle side is not live, so its previous images and replicas are put back.
/// The live side is never touched before the switch.
extension RolloutMachine {
  static func failBlueGreen(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout, plan: BlueGreenPlan, reason: String,
                            message: String) -> RolloutDecision {
    let targets = withKnownGenerations(rollout.workloads, input, rollout)
    guard policy.rollbackEnabled else {
      return finish(input, rollout: rollout, targets: targets, result: .failed, reason: reason, message: message)
    }
    var s = input.kcd.status
    s.rollout?.workloads = targets
    s.rollout?.rollback = RollbackIntent(reason: reason, message: String(message.prefix(2048)), startedAt: input.now)
    s.message = String(message.prefix(4096))
    return RolloutDecision([write(s, input.kcd, priority: .critical)], .again)
  }

  static func rollBackBlueGreen(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout, plan: BlueGreenPlan,
                                intent: RollbackIntent) -> RolloutDecision {
    let kcd = input.kcd
    let timedOut = input.now - intent.startedAt > policy.timeout
    func giveUp(_ why: String) -> RolloutDecision {
      finish(input, rollout: rollout, targets: rollout.workloads, result: .failed, reason: intent.reason, message: intent.message + "; " + why)
    }
    let unfinished = "the rollback did not complete within \(policy.timeoutSeconds) s"
    guard input.workloads != nil else { return timedOut ? giveUp(unfinished) : RolloutDecision([], .requeue(after: 1)) }
    guard let read = input.services[plan.service] else { return RolloutDecision([.readService(plan.service)], .again) }
    let (idleRef, oldRef) = (plan.ref(plan.idle, kcd.namespace), plan.ref(plan.live, kcd.namespace))
    let idle = input.workload(idleRef), old = input.workload(oldRef)
    if [idle, old].contains(where: { $0.map { isBehind($0, input) } ?? false }) {
      return timedOut ? giveUp(unfinished) : RolloutDecision([], .requeue(after: 1))
    }
    if let svc = read.service, svc.selects(plan.idle.labels) {
      return switchBack(input, policy: policy, rollout: rollout, plan: plan, service: svc, old: old, timedOut: timedOut, giveUp: giveUp)
    }
    // The idle side is not live: put back what kcd changed on it (and only that).
    var changes: [RolloutAction] = []
    var skipped: String?
    if let idle, let target = rollout.workloads.first {
      let images = ImagePlan(containers: target.containers, image: rollout.image).restorable(in: idle, previous: target.previous)
      if let why = input.refusedPatches[idle.ref] {
        skipped = "could not put \(idle.ref.name) back: \(why)"
      } else {
        if !images.isEmpty {
          let list = images.keys.sorted().map { "\($0)=\(images[$0]!)" }.joined(separator: ", ")
          changes.append(.patch(WorkloadPatch(ref: idle.ref, images: images.keys.sorted().map { ContainerImage($0, images[$0]!) },
                                              changeCause: "kcd: \(kcd.key) rolled back \(rollout.image) (\(intent.reason))", purpose: .rollback,
                                              receivedAt: rollout.receivedAt,
                                              note: "kcd restored \(list) on the idle side \(idle.ref.name) after \(rollout.image) failed (\(intent.reason))")))
        }
        if idle.progress.replicas == plan.replicas && plan.replicas != plan.idle.replicas {
          changes.append(.scale(WorkloadScale(ref: idle.ref, replicas: plan.idle.replicas, reason: "BlueGreenIdleScaled",
                                              note: "kcd scaled the idle side \(idle.ref.name) back to \(plan.idle.replicas) replica(s) after \(rollout.image) failed")))
        }
      }
    }
    if !changes.isEmpty && !timedOut {
      guard input.fresh else { return claim(input, rollout: rollout) }
      return RolloutDecision(changes, .again)
    }
    var notes: [String] = []
    var undone = false
    if plan.step == .switchingBack, read.service?.selects(plan.live.labels) == true {
      notes.append("switched Service \(plan.service) back to \(plan.live.name) (\(BlueGreenPlan.text(plan.live.labels)))")
      undone = true
    } else if let svc = read.service, !svc.selects(plan.live.labels) {
      notes.append("Service \(plan.service) selects neither side (selector \(BlueGreenPlan.text(svc.selector))): left alone")
    } else if read.service != nil {
      notes.append("Service \(plan.service) still selects \(plan.live.name)")
    }
    if let idle, let target = rollout.workloads.first, target.generation != nil, idle.images(of: target.containers) == target.previous, !target.previous.isEmpty {
      notes.append("put the idle side \(idle.ref.name) back to its previous image(s) and \(idle.progress.replicas) replica(s)")
      undone = true
    } else if let idle, plan.replicas != plan.idle.replicas, idle.progress.replicas == plan.idle.replicas {
      notes.append("the idle side \(idle.ref.name) has \(idle.progress.replicas) replica(s) again")
    }
    if timedOut && !changes.isEmpty { notes.append(unfinished) }
    if let skipped { notes.append(skipped) }
    let message = ([intent.message] + notes).joined(separator: "; ")
    return finish(input, rollout: rollout, targets: rollout.workloads, result: undone ? .rolledBack : .failed, reason: intent.reason, message: message)
  }
}
