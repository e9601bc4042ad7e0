@testable import KcdController
import KcdJSON
import KcdKube
import Testing

/// Approvals in the machine: a candidate waits, nothing is patched until that exact digest is
/// approved; another digest's approval is refused once; a newer candidate replaces the waiting
/// one; an unanswered request expires; the approver is recorded in the history.
@Suite struct ApprovalMachineTests {
  typealias W = RolloutWorld

  static func world(_ request: RequestedRollout = W.request(W.digestB, id: "m1"), verify: Bool = false) -> RolloutWorld {
    var spec: [String: JSON] = ["approval": ["required": true, "expiresSeconds": 3600]]
    if verify { spec["verify"] = [["kind": "Webhook", "url": "https://qa.example/gate"]] }
    var w = RolloutWorld(kcd: W.kcd(spec, request: request), workloads: [W.deployment("web")])
    w.settings.canVerify = true
    return w
  }

  static func approve(_ w: inout RolloutWorld, _ digest: String, id: String = "a1", by: String = "alice@example.com") {
    w.kcd.approval = GivenApproval(id: id, digest: digest, by: by, at: w.now)
  }

  @Test("the candidate waits (AwaitingApproval, an Event saying how to approve); approved for its digest, it rolls out, the approver recorded")
  func approve() throws {
    var w = Self.world()
    w.pass()
    #expect(w.kcd.status.currStatus == .awaitingApproval && w.kcd.status.approval?.digest == W.digestB)
    #expect(w.events.first?.reason == "AwaitingApproval" && w.events.first?.message.contains("kcd approve shop/web --digest \(W.digestB)") == true)
    #expect(w.patched.isEmpty)
    w.now += 60
    #expect(w.pass() != .again)
    #expect(w.patched.isEmpty, "still waiting")
    Self.approve(&w, W.digestB)
    w.pass()
    #expect(w.image("web") == W.pinned(W.digestB))
    #expect(w.kcd.status.approval == nil && w.kcd.status.conditions[type: "Approved"]?.status == .true)
    w.settle("web")
    w.now += 10
    w.pass()
    #expect(w.kcd.status.currStatus == .success)
    #expect(w.kcd.status.history.first?.approvedBy == "alice@example.com", "kept through the end of the rollout")
  }

  @Test("an approval of another digest is refused, said once; nothing patched")
  func otherDigest() {
    var w = Self.world()
    w.pass()
    Self.approve(&w, W.digestC)
    w.pass()
    w.pass()
    #expect(w.events.filter { $0.reason == "ApprovalRefused" }.count == 1)
    #expect(w.events.last { $0.reason == "ApprovalRefused" }?.message.contains("not for the waiting \(W.digestB)") == true)
    #expect(w.patched.isEmpty && w.kcd.status.currStatus == .awaitingApproval)
  }

  @Test("verification comes first; an approval given before the candidate was waiting does not count; a newer candidate replaces the waiting one")
  func orderAndReplace() {
    var w = Self.world(verify: true)
    Self.approve(&w, W.digestB)
    w.now += 120
    w.pass()
    #expect(w.kcd.status.currStatus == .verifying, "checks run before anyone is asked")
    w.verifications = [0: .passed("204")]
    w.pass()
    #expect(w.kcd.status.currStatus == .awaitingApproval, "an approval older than the wait is not this one's")
    #expect(w.patched.isEmpty)
    w.kcd.request = W.request(W.digestC, id: "m2")
    w.verifications = [:]
    w.pass()
    w.verifications = [0: .passed("204")]
    w.pass()
    #expect(w.kcd.status.approval?.digest == W.digestC && w.kcd.status.approval?.requestID == "m2")
  }

  @Test("a request nobody approves expires: reported, settled, nothing deployed")
  func expires() {
    var w = Self.world()
    w.pass()
    w.now += 3601
    w.pass()
    #expect(w.events.last?.reason == "ApprovalExpired")
    #expect(w.kcd.status.approval == nil && w.kcd.pendingRequest == nil && w.patched.isEmpty)
    #expect(w.kcd.status.conditions[type: "Approved"]?.reason == "ApprovalExpired")
  }

  @Test("an explicit rollback is not held for approval")
  func rollbackNotHeld() {
    var w = Self.world(ExplicitRollbackMachineTests.rollback(W.digestA, version: "0.9.0"))
    w.pass()
    #expect(w.image("web") == "registry.example/shop/web:0.9.0@\(W.digestA)")
  }
}
