/// Approvals (`spec.approval`): a candidate that passed verification waits, `AwaitingApproval`,
/// until the `kcd.dev/approval` annotation approves that exact digest; an approval of another
/// digest is refused (said once), a newer candidate replaces the waiting one, and a request
/// that waits past `expiresSeconds` expires (reported; nothing deployed). An explicit rollback
/// (`kcd rollback`) is not held: going back is the emergency path.
extension RolloutMachine {
  enum ApprovalGate {
    case approved(by: String)
    case waiting(RolloutDecision)
  }

  static func approvalGate(_ input: RolloutInput, approval spec: ApprovalSpec, request r: RequestedRollout, digest: String, version: String,
                           image: String) -> ApprovalGate {
    let kcd = input.kcd
    guard var pending = kcd.status.approval, pending.requestID == r.id, pending.digest == digest else {
      var s = kcd.status
      s.approval = PendingApproval(requestID: r.id, digest: digest, version: version, image: image, since: input.now,
                                   expiresAt: input.now + Double(spec.expiresSeconds))
      s.approval?.previousStatus = kcd.status.currStatus == .awaitingApproval ? kcd.status.approval?.previousStatus : kcd.status.currStatus
      s.currStatus = .awaitingApproval
      s.currStatusTime = input.now
      let how = "kcd approve \(kcd.namespace)/\(kcd.name) --digest \(digest)"
      s.message = "waiting for an approval of \(image): \(how)"
      s.conditions.set("Approved", .unknown, reason: "AwaitingApproval", message: "waiting for an approval of \(version) (\(digest))",
                       generation: kcd.generation, now: input.now)
      let note = EventNote(.normal, "AwaitingApproval", "\(image) waits for an approval of its digest: \(how)")
      return .waiting(RolloutDecision([write(s, kcd, priority: .critical), .event(note)], .again))
    }
    if let given = kcd.approval, given.digest == digest, given.at >= pending.since - 60 {
      return .approved(by: given.by)
    }
    var s = kcd.status
    var actions: [RolloutAction] = []
    if let given = kcd.approval, given.digest != digest, given.at >= pending.since - 60, pending.refusedID != given.id {
      pending.refusedID = given.id
      s.approval = pending
      let why = "approval \(given.id) by \(given.by) is for \(given.digest), not for the waiting \(digest); not deployed"
      actions += [.event(EventNote(.warning, "ApprovalRefused", why)), write(s, kcd)]
    }
    if input.now > pending.expiresAt {
      let why = "the approval request for \(pending.image) expired (not approved within \(spec.expiresSeconds) s); nothing was deployed"
      s.approval = nil
      s.verification = nil
      s.lastEvent = KCDStatus.LastEvent(source: r.source, id: r.id, receivedAt: r.receivedAt)
      s.currStatus = pending.previousStatus
      s.currStatusTime = input.now
      s.message = why
      s.conditions.set("Approved", .false, reason: "ApprovalExpired", message: why, generation: kcd.generation, now: input.now)
      return .waiting(RolloutDecision([.event(EventNote(.warning, "ApprovalExpired", why)), write(s, kcd)], .again))
    }
    return .waiting(RolloutDecision(actions, .requeue(after: max(1, min(300, pending.expiresAt - input.now + 1)))))
  }
}
