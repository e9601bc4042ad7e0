@testable import KcdController
import KcdHooks
import KcdJSON
import KcdKube
import Testing

/// Findings of a review of the verification, canary, rollback and intake changes, each
/// reproduced: checks of a spec that turned invalid fail closed; an explicit rollback holds the
/// digest it leaves; an older CI callback is refused after a request of another source; check
/// ids differ between phases and specs; an expired approval puts the previous status back.
@Suite struct SessionReviewTests {
  typealias W = RolloutWorld

  @Test("a KCD that turns invalid while its canary checks run fails the rollout instead of skipping the checks")
  func invalidDuringChecks() {
    var w = CanaryMachineTests.world(spec: CanaryMachineTests.canary)
    w.pass()
    w.settle("web-canary")
    w.pass()
    #expect(w.kcd.status.verification?.phase == .canary)
    w.kcd.spec = nil
    w.kcd.problems = [SpecProblem(.invalid, "spec.pollIntervalSeconds", "spec.pollIntervalSeconds must be from 0 to 604800")]
    w.pass()
    w.settle("web-canary")
    w.pass()
    #expect(!w.patched.contains(W.ref("web")) && !w.patched.contains(W.ref("worker")), "the others are never patched")
    #expect(w.kcd.status.currStatus == .rolledBack, "\(w.kcd.status)")
  }

  @Test("an explicit rollback holds the digest it leaves, so the tag's digest is not deployed again by the poller")
  func rollbackHolds() {
    var s = KCDStatus()
    s.currDigest = W.digestB
    s.currStatus = .success
    s.lastEvent = .init(source: "ci", id: "old", receivedAt: W.t0 - 100)
    var w = RolloutWorld(kcd: W.kcd([:], status: s, request: ExplicitRollbackMachineTests.rollback(W.digestA, version: "0.9.0")), workloads: [W.deployment("web")])
    w.pass()
    #expect(w.kcd.status.failedDigest == W.digestB)
    var again = w.kcd
    again.request = W.request(W.digestB, id: "poll:main", source: "poll")
    #expect(EventIntake.duplicateReason(ImageEvent(repository: "registry.example/shop/web", tag: "main", digest: W.digestB, source: "poll",
                                                   deliveryID: "poll:2", receivedAt: W.t0), kcd: again)?.contains("failed before") == true)
  }

  @Test("a CI callback signed before the newest one taken is refused even after a rollback or a registry event replaced it")
  func olderAfterOtherSource() {
    var ci = ImageEvent(repository: "registry.example/shop/web", tag: "main", digest: W.digestB, source: "ci", deliveryID: "c2", receivedAt: W.t0)
    ci.signedAt = W.t0 - 10
    let taken = RequestedRollout(event: ci, recent: [])
    let rollback = RequestedRollout(event: ImageEvent(repository: "registry.example/shop/web", tag: nil, digest: W.digestA, source: "rollback",
                                                      deliveryID: "r1", receivedAt: W.t0 + 1), recent: taken.recent, previous: taken)
    var k = W.kcd()
    k.request = rollback
    var late = ImageEvent(repository: "registry.example/shop/web", tag: "main", digest: W.digestC, source: "ci", deliveryID: "c1", receivedAt: W.t0 + 2)
    late.signedAt = W.t0 - 240
    #expect(EventIntake.duplicateReason(late, kcd: k)?.contains("older than the deployed event") == true)
    // The newest signing time survives the annotation's round trip.
    #expect(RequestedRollout(annotation: rollback.json.text)?.latestSignedAt == W.t0 - 10)
  }

  @Test("Job names and webhook ids differ between phases and between specs")
  func distinctIDs() {
    let base = VerificationCandidate(kcd: ObjectReference(kind: "KCD", apiVersion: "kcd.dev/v1", namespace: "shop", name: "web"),
                                     repository: "registry.example/shop/web", image: "i", digest: W.digestA, version: "1", trigger: "ci:m", workloads: [],
                                     requestID: "m", phase: .canary, generation: 1)
    var after = base
    after.phase = .afterRollout
    var edited = base
    edited.generation = 2
    let names = Set([base, after, edited].map { JobVerifier.jobName($0, index: 0) })
    #expect(names.count == 3)
    #expect(Set([base, after, edited].map { WebhookVerifier.messageID($0, index: 0) }).count == 3)
  }

  @Test("an approval request that expires puts back the status the KCD had (RolledBack stays RolledBack)")
  func expiryRestores() {
    var s = KCDStatus()
    s.currStatus = .rolledBack
    s.currDigest = W.digestA
    s.successDigest = W.digestA
    var w = ApprovalMachineTests.world()
    w.kcd.status = s
    w.pass()
    #expect(w.kcd.status.currStatus == .awaitingApproval)
    w.now += 3601
    w.pass()
    #expect(w.kcd.status.currStatus == .rolledBack)
  }
}
