/// Ending a rollout: success, or failure with the recorded images put back first when
/// `rollback.enabled` (the intent is written before the first rollback patch, so a new leader
/// finishes a rollback the old one started; a workload someone else has changed is left alone).
extension RolloutMachine {
  /// The targets with every generation known so far: recorded, remembered in memory, or read
  /// from a workload that runs the rollout's image (it took the patch).
  static func withKnownGenerations(_ targets: [RolloutTarget], _ input: RolloutInput, _ rollout: ActiveRollout) -> [RolloutTarget] {
    targets.map { t in
      guard t.generation == nil else { return t }
      var known = t
      let ref = WorkloadRef(kind: t.kind, namespace: input.kcd.namespace, name: t.name)
      if let g = input.patchedGenerations[ref] {
        known.generation = g
      } else if let w = input.workload(ref), ImagePlan(containers: t.containers, image: rollout.image).isApplied(to: w) {
        known.generation = w.generation
      }
      return known
    }
  }

  static func succeed(_ input: RolloutInput, rollout: ActiveRollout, targets: [RolloutTarget]) -> RolloutDecision {
    finish(input, rollout: rollout, targets: targets, result: .success, reason: "RolloutSucceeded", message: "\(rollout.image) is available")
  }

  /// A failure: roll back what was patched when enabled, else finish Failed.
  static func fail(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout, reason: String, message: String,
                   targets: [RolloutTarget]? = nil) -> RolloutDecision {
    let targets = withKnownGenerations(targets ?? rollout.workloads, input, rollout)
    let patched = targets.contains { $0.generation != nil }
    guard policy.rollbackEnabled, patched else {
      return finish(input, rollout: rollout, targets: targets, result: .failed, reason: reason, message: message)
    }
    var s = input.kcd.status
    s.rollout?.workloads = targets
    s.rollout?.rollback = RollbackIntent(reason: reason, message: String(message.prefix(2048)), startedAt: input.now)
    return RolloutDecision([write(s, input.kcd, priority: .critical)], .again)
  }

  static func rollBack(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout, intent: RollbackIntent) -> RolloutDecision {
    let kcd = input.kcd
    let timedOut = input.now - intent.startedAt > policy.timeout
    guard let workloads = input.workloads else {
      // Nothing can be put back without knowing the workloads; the rollback's own deadline
      // still ends it.
      guard timedOut else { return RolloutDecision([], .requeue(after: 1)) }
      return finish(input, rollout: rollout, targets: rollout.workloads, result: .failed, reason: intent.reason,
                    message: intent.message + "; the rollback did not complete within \(policy.timeoutSeconds) s")
    }
    var patches: [WorkloadPatch] = []
    var restored: [String] = []
    var skipped: [String] = []
    // Only workloads that took the new image are kcd's to put back (the intent write recorded
    // their generations).
    for t in rollout.workloads where t.generation != nil {
      let ref = WorkloadRef(kind: t.kind, namespace: kcd.namespace, name: t.name)
      guard let w = workloads.first(where: { $0.ref == ref }) else { continue }
      let plan = ImagePlan(containers: t.containers, image: rollout.image)
      let images = plan.restorable(in: w, previous: t.previous)
      if let why = input.refusedPatches[ref] {
        skipped.append("\(ref): \(why)")
      } else if !images.isEmpty {
        patches.append(WorkloadPatch(ref: ref, images: images.keys.sorted().map { ContainerImage($0, images[$0]!) },
                                     changeCause: "kcd: \(kcd.key) rolled back \(rollout.image) (\(intent.reason))", purpose: .rollback,
                                     receivedAt: rollout.receivedAt,
                                     note: "kcd restored \(images.keys.sorted().map { "\($0)=\(images[$0]!)" }.joined(separator: ", ")) after \(rollout.image) failed (\(intent.reason))"))
      } else {
        // Put back by an earlier pass (before a restart), or changed by someone else since.
        let now = w.images(of: Array(t.previous.keys))
        if !t.previous.isEmpty && t.previous.allSatisfy({ now[$0.key] == $0.value }) { restored.append("\(ref)") }
      }
    }
    if !patches.isEmpty && !timedOut {
      guard input.fresh else { return claim(input, rollout: rollout) }
      return RolloutDecision(patches.map { .patch($0) }, .again)
    }
    var message = intent.message
    if !restored.isEmpty { message += "; rolled back \(restored.joined(separator: ", ")) to the previous images" }
    if timedOut && !patches.isEmpty { message += "; the rollback did not complete within \(policy.timeoutSeconds) s" }
    if !skipped.isEmpty { message += "; could not roll back \(skipped.joined(separator: "; "))" }
    return finish(input, rollout: rollout, targets: rollout.workloads, result: restored.isEmpty ? .failed : .rolledBack, reason: intent.reason,
                  message: message)
  }

  static func finish(_ input: RolloutInput, rollout: ActiveRollout, targets: [RolloutTarget], result: RolloutResult, reason: String,
                     message: String) -> RolloutDecision {
    let kcd = input.kcd
    let now = input.now
    let success = result == .success
    let targets = withKnownGenerations(targets, input, rollout)
    var s = kcd.status
    s.currStatus = success ? .success : (result == .rolledBack ? .rolledBack : .failed)
    s.currStatusTime = now
    s.message = String(message.prefix(4096))
    s.rollout?.workloads = targets
    if success { s.verification = nil }
    s.rollout?.finishedAt = now
    s.rollout?.result = result
    if success {
      s.successVersion = rollout.version
      s.successDigest = rollout.digest
    } else {
      s.failedDigest = rollout.digest
    }
    if result == .rolledBack, s.successDigest != nil {
      // What runs now is the last good version again.
      s.currVersion = s.successVersion
      s.currDigest = s.successDigest
    }
    s.conditions.set("Progressing", .false, reason: success ? "RolloutComplete" : reason, message: s.message ?? "", generation: kcd.generation, now: now)
    s.conditions.set("Ready", success ? .true : .false, reason: success ? "RolloutSucceeded" : (result == .rolledBack ? "RolledBack" : "RolloutFailed"),
                     message: s.message ?? "", generation: kcd.generation, now: now)
    s.record(RolloutRecord(version: rollout.version, digest: rollout.digest, result: result, startedAt: rollout.startedAt, finishedAt: now,
                           trigger: rollout.trigger))
    var actions: [RolloutAction] = [write(s, kcd), .finished(result, seconds: max(0, now - rollout.startedAt),
                                                                          sinceEvent: max(0, now - rollout.receivedAt)),
                                    .notify(RolloutOutcome(finished: rollout, of: kcd, targets: targets, result: result, reason: reason, message: s.message ?? "", now: now))]
    if success {
      actions.append(.event(EventNote(.normal, "RolloutSucceeded", "\(rollout.image) rolled out")))
    } else {
      actions.append(.event(EventNote(.warning, result == .rolledBack ? "RolledBack" : "RolloutFailed", "\(rollout.image) failed (\(reason)): \(message)")))
      for t in targets {
        actions.append(.event(EventNote(on: WorkloadRef(kind: t.kind, namespace: kcd.namespace, name: t.name), .warning, "RolloutFailed",
                                        "\(rollout.image): \(message)")))
      }
    }
    // A newer request may have queued behind this rollout.
    return RolloutDecision(actions, .again)
  }
}
