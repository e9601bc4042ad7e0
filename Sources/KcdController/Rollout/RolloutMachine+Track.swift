/// Following a rollout in flight: patch what is not patched yet (only on a fresh copy), remember
/// the generations the patches produced (written with the rollout's next status write), and
/// judge each workload by kubectl's rules, stuck pods and the KCD's deadline.
extension RolloutMachine {
  static func track(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout) -> RolloutDecision {
    let kcd = input.kcd
    if let intent = rollout.rollback { return rollBack(input, policy: policy, rollout: rollout, intent: intent) }
    let age = input.now - rollout.startedAt
    let timeout = "rollout did not finish within \(policy.timeoutSeconds) s"
    // Past the deadline and a grace period, an unanswerable cache (or an API that keeps
    // refusing) must not keep the KCD Progressing, and newer requests waiting, for ever. A
    // workload that is done is judged done, however late kcd looks.
    let pastGrace = age > policy.timeout + 30
    guard input.workloads != nil else {
      if pastGrace { return fail(input, policy: policy, rollout: rollout, reason: "Timeout", message: timeout) }
      return RolloutDecision([], .requeue(after: 1))
    }
    var targets = rollout.workloads
    var patches: [WorkloadPatch] = []
    var waiting: [String] = []
    var inspect: [RolloutAction] = []
    var remember: [RolloutAction] = []
    var failure: (reason: String, message: String)?
    // Canaries first: the others are not touched until the canaries run and pass their checks.
    let canaryStage = targets.contains { $0.canary } && !rollout.canaryPassed
    for (i, t) in targets.enumerated() where !canaryStage || t.canary {
      let ref = WorkloadRef(kind: t.kind, namespace: kcd.namespace, name: t.name)
      let plan = ImagePlan(containers: t.containers, image: rollout.image)
      if let why = input.refusedPatches[ref] {
        failure = ("PatchRejected", "\(ref): the API refused the patch: \(why)")
        break
      }
      guard let w = input.workload(ref) else {
        failure = ("WorkloadDeleted", "\(ref) no longer exists")
        break
      }
      let recorded = t.generation ?? input.patchedGenerations[ref]
      if let g = recorded, w.generation < g {
        waiting.append("\(t.name): the cache has not seen the patch yet")
        continue
      }
      if !plan.isApplied(to: w) {
        // Patched and changed since, or (after a restart, when no generation is known) no
        // longer running what it ran at the start: someone else set it; kcd does not undo that.
        if recorded != nil || w.images(of: t.containers) != t.previous {
          failure = ("Superseded", "\(ref) was changed to another image during the rollout")
          break
        }
        patches.append(WorkloadPatch(ref: ref, images: plan.containers.map { ContainerImage($0, rollout.image) },
                                     changeCause: "kcd: \(kcd.key) rolled out \(rollout.image)", purpose: .rollout, receivedAt: rollout.receivedAt,
                                     note: "kcd set \(plan.containers.joined(separator: ", ")) to \(rollout.image)"))
        continue
      }
      if t.generation == nil {
        targets[i].generation = recorded ?? w.generation
        if recorded == nil { remember.append(.rememberGeneration(ref, w.generation)) }
      }
      switch t.kind.check(w) {
      case .done: continue
      case .failed(let reason, let message): failure = (reason, "\(ref): \(message)")
      case .waiting(let why):
        if age >= input.settings.podCheckAfter {
          if let pods = input.pods[ref] {
            if case .failed(let reason, let message)? = RolloutCheck.stuckPod(pods, image: rollout.image) {
              failure = (reason, "\(ref): \(message)")
            }
          } else if !w.podLabels.isEmpty {
            inspect.append(.inspectPods(ref, labels: w.podLabels))
          }
        }
        waiting.append("\(t.name): \(why)")
      }
      if failure != nil { break }
    }
    if let f = failure { return fail(input, policy: policy, rollout: rollout, reason: f.reason, message: f.message, targets: targets) }
    if !patches.isEmpty {
      if pastGrace { return fail(input, policy: policy, rollout: rollout, reason: "Timeout", message: timeout, targets: targets) }
      // Nothing is patched from a copy that no precondition-carrying write has confirmed.
      guard input.fresh else { return claim(input, rollout: rollout) }
      return RolloutDecision(patches.map { .patch($0) }, .again)
    }
    if !inspect.isEmpty { return RolloutDecision(remember + inspect, .again) }
    if waiting.isEmpty { return stageDone(input, policy: policy, rollout: rollout, targets: targets, remember: remember, canaryStage: canaryStage) }
    if age > policy.timeout {
      return fail(input, policy: policy, rollout: rollout, reason: "Timeout", message: timeout + ": " + waiting.joined(separator: "; "), targets: targets)
    }
    let wake = RolloutDecision.Next.requeue(after: min(input.settings.trackInterval, max(0.5, policy.timeout - age + 0.1)))
    return RolloutDecision(remember, wake)
  }

  /// A status write whose only purpose is its precondition: it proves the copy is current
  /// before a resumed pass patches anything.
  static func claim(_ input: RolloutInput, rollout: ActiveRollout) -> RolloutDecision {
    var s = input.kcd.status
    s.rollout?.claims = rollout.claims + 1
    return RolloutDecision([write(s, input.kcd, priority: .critical)], .again)
  }
}
