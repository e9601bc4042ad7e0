@testable import KcdController
import KcdJSON
import KcdKube
import Testing

/// The machine reports every end of a rollout exactly once, right after the status write that
/// records it: a success (with its approver), a rollback, a failure, a verification refusal.
@Suite struct NotificationOutcomeTests {
  typealias W = RolloutWorld

  static func outcomes(_ w: RolloutWorld) -> [RolloutOutcome] { w.trace.compactMap { if case .notify(let o) = $0 { return o } else { return nil } } }

  /// The one outcome reported, which came right after the write that records it.
  static func only(_ w: RolloutWorld, sourceLocation: SourceLocation = #_sourceLocation) throws -> RolloutOutcome {
    let all = outcomes(w)
    #expect(all.count == 1, "\(all)", sourceLocation: sourceLocation)
    #expect(afterTheWrite(w), sourceLocation: sourceLocation)
    return try #require(all.first, sourceLocation: sourceLocation)
  }

  /// The action just before each `.notify` is the status write that records the end.
  static func afterTheWrite(_ w: RolloutWorld) -> Bool {
    w.trace.indices.filter { if case .notify = w.trace[$0] { return true } else { return false } }.allSatisfy { i in
      w.trace[..<i].last { if case .finished = $0 { return false } else { return true } }.map { if case .writeStatus = $0 { return true } else { return false } } ?? false
    }
  }

  @Test("a first success: one outcome, no version before, the workloads and the approver")
  func success() throws {
    var w = ApprovalMachineTests.world()
    w.kcd = KCD(json: ["apiVersion": "kcd.dev/v1", "kind": "KCD",
                       "metadata": ["name": "web", "namespace": "shop", "uid": "u-1", "resourceVersion": "10", "generation": 1, "annotations": ["kcd.dev/notify": "audit"]],
                       "spec": ["imageRepo": "registry.example/shop/web", "tag": "main", "selector": ["app": "web"], "approval": ["required": true]]])
    w.kcd.request = W.request(W.digestB, id: "m1")
    w.pass()
    ApprovalMachineTests.approve(&w, W.digestB)
    w.pass()
    #expect(Self.outcomes(w).isEmpty, "nothing ended yet")
    w.settle("web")
    w.now += 10
    w.pass()
    w.now += 60
    w.pass()
    let o = try Self.only(w)
    #expect(o.result == .success && o.key == "shop/web" && o.version == "3ae8d1b" && o.digest == W.digestB && o.image == W.pinned(W.digestB))
    #expect(o.reason == "RolloutSucceeded" && o.workloads == ["Deployment/web"] && o.trigger == "ci:m1")
    #expect(o.approvedBy == "alice@example.com" && o.previousVersion == nil && o.requested == ["audit"])
    #expect(o.finishedAt == w.kcd.status.rollout?.finishedAt && o.startedAt == w.kcd.status.rollout?.startedAt)
  }

  @Test("a failure rolled back: one RolledBack outcome with the reason, the version before and the image put back")
  func rolledBack() throws {
    var success = KCDStatus()
    (success.successDigest, success.successVersion, success.currStatus) = (W.digestA, "1111111", .success)
    var w = RolloutMachineTests.world(status: success)
    w.pass()
    RolloutMachineTests.failures[0].2(&w)
    w.pass()
    w.now += 5
    w.pass()
    let o = try Self.only(w)
    #expect(o.result == .rolledBack && o.reason == "ProgressDeadlineExceeded" && o.message.contains("rolled back Deployment shop/web"))
    #expect(o.previousVersion == "1111111" && o.previousDigest == W.digestA && o.previousImage == "registry.example/shop/web:1.0")
    #expect(o.workloads == ["Deployment/web", "Deployment/worker"] && o.requested == nil)
  }

  @Test("a failure without rollback: one Failed outcome")
  func failed() throws {
    var w = RolloutMachineTests.world(spec: ["rollback": ["enabled": false]])
    w.pass()
    RolloutMachineTests.failures[5].2(&w)
    w.pass()
    let all = Self.outcomes(w)
    #expect(all.map(\.result) == [.failed] && all.first?.reason == "Timeout")
  }

  @Test("a candidate refused by verification: one Failed outcome, reason VerificationFailed, after the write")
  func verificationFailed() throws {
    var w = VerificationMachineTests.world()
    w.pass()
    w.verifications = [0: .passed("200"), 1: .failed("registry.example/smoke:1 failed; log: smoke test: 3 errors")]
    w.pass()
    w.kcd.request = W.request(W.digestB, id: "m2")
    w.pass()
    let o = try Self.only(w)
    #expect(o.result == .failed && o.reason == "VerificationFailed" && o.message.contains("smoke test: 3 errors"))
    #expect(o.workloads == ["Deployment/web"] && o.version == "3ae8d1b" && o.trigger == "ci:m1")
  }
}
