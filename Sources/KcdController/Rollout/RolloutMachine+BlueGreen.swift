/// Following a ServiceBlueGreen rollout (docs/blue-green.md), one step per state of
/// `status.rollout.blueGreen.step`: Deploying (patch the idle side, point the verification
/// Service at it, scale it up, wait until it is available) → Switching (written before the live
/// Service is patched; a fresh read of the Service says whether the patch landed, so a resumed
/// kcd never switches twice) → Switched (read back; scale the old side down) → Success. The
/// live Service is only ever switched to a side that is available at that moment.
extension RolloutMachine {
  static func trackBlueGreen(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout, plan: BlueGreenPlan) -> RolloutDecision {
    if let intent = rollout.rollback { return rollBackBlueGreen(input, policy: policy, rollout: rollout, plan: plan, intent: intent) }
    let age = input.now - rollout.startedAt
    func fail(_ reason: String, _ message: String) -> RolloutDecision {
      failBlueGreen(input, policy: policy, rollout: rollout, plan: plan, reason: reason, message: message)
    }
    let late = age > policy.timeout + 30
    let timeout = "rollout did not finish within \(policy.timeoutSeconds) s"
    guard let target = rollout.workloads.first else { return fail("InvalidPlan", "status.rollout names no idle Deployment") }
    guard input.workloads != nil else { return late ? fail("Timeout", timeout) : RolloutDecision([], .requeue(after: 1)) }
    let (idleRef, liveRef) = (plan.ref(plan.idle, input.kcd.namespace), plan.ref(plan.live, input.kcd.namespace))
    guard let idle = input.workload(idleRef) else { return fail("WorkloadDeleted", "\(idleRef) no longer exists") }
    // The old side matters until the switch (after it, it is only scaled down if still there).
    let live = input.workload(liveRef)
    if live == nil && (plan.step == .deploying || plan.step == .switching) {
      return fail("WorkloadDeleted", "\(liveRef) (the live side) no longer exists; Service \(plan.service) was not switched")
    }
    // Never act on a cached Deployment older than kcd's own last change to it.
    if isBehind(idle, input) || live.map({ isBehind($0, input) }) == true { return late ? fail("Timeout", timeout) : RolloutDecision([], .requeue(after: 1)) }
    switch plan.step {
    case .deploying: return deployIdle(input, policy: policy, rollout: rollout, plan: plan, target: target, idle: idle)
    case .switching: return switchLive(input, policy: policy, rollout: rollout, plan: plan, idle: idle)
    case .switched, .switchingBack: return afterSwitch(input, policy: policy, rollout: rollout, plan: plan, new: idle, old: live)
    }
  }

  /// The cache has not seen the generation kcd's last patch of this workload produced.
  static func isBehind(_ w: Workload, _ input: RolloutInput) -> Bool { input.patchedGenerations[w.ref].map { w.generation < $0 } ?? false }

  enum Availability {
    case available
    case waiting(RolloutDecision)
    case failed(reason: String, message: String)
  }

  /// A side judged by kubectl's rules (every replica updated and available, the spec observed),
  /// with pods that cannot start failing it early and the KCD's deadline ending the wait.
  static func awaitAvailable(_ input: RolloutInput, policy: RolloutPolicy, rollout: ActiveRollout, _ w: Workload) -> Availability {
    let age = input.now - rollout.startedAt
    switch WorkloadKind.deployment.check(w) {
    case .done: return .available
    case .failed(let reason, let message): return .failed(reason: reason, message: "\(w.ref): \(message)")
    case .waiting(let why):
      if age >= input.settings.podCheckAfter {
        if let pods = input.pods[w.ref] {
          if case .failed(let reason, let message)? = RolloutCheck.stuckPod(pods, image: rollout.image) { return .failed(reason: reason, message: "\(w.ref): \(message)") }
        } else if !w.podLabels.isEmpty {
          return .waiting(RolloutDecision([.inspectPods(w.ref, labels: w.podLabels)], .again))
        }
      }
      if age > policy.timeout {
        return .failed(reason: "Timeout", message: "rollout did not finish within \(policy.timeoutSeconds) s: \(w.ref.name) is not available (\(why))")
      }
      return .waiting(RolloutDecision([], .requeue(after: min(input.settings.trackInterval, max(0.5, policy.timeout - age + 0.1)))))
    }
  }
}

extension BlueGreenPlan {
  func ref(_ side: Side, _ namespace: String) -> WorkloadRef { WorkloadRef(kind: .deployment, namespace: namespace, name: side.name) }
}
