@testable import KcdController
import KcdJSON
import KcdKube
import Testing

/// Pre-rollout verification in the rollout machine: the candidate is recorded before any check
/// runs, every check must pass before anything is patched, one failure ends it with
/// failedDigest and a Warning Event, a newer request starts over, the KCD's deadline holds, and
/// a restart resumes from the status.
@Suite struct VerificationMachineTests {
  typealias W = RolloutWorld

  static let checks: [String: JSON] = ["verify": [["kind": "Webhook", "url": "https://qa.example/gate"],
                                                  ["kind": "Image", "image": "registry.example/smoke", "tag": "1", "timeoutSeconds": 60]]]

  static func world(_ request: RequestedRollout = W.request(W.digestB, id: "m1")) -> RolloutWorld {
    var w = RolloutWorld(kcd: W.kcd(checks, request: request), workloads: [W.deployment("web")])
    w.settings.canVerify = true
    return w
  }

  var verifyActions: (RolloutDecision) -> [Int] = { d in
    d.actions.compactMap { if case .verify(_, let i, _) = $0 { return i } else { return nil } }
  }

  @Test("the candidate is written (Verifying) before any check runs; checks run; nothing is patched meanwhile")
  func starts() throws {
    var w = Self.world()
    w.pass()
    let s = w.kcd.status
    #expect(s.currStatus == .verifying)
    let v = try #require(s.verification)
    #expect(v.digest == W.digestB && v.image == W.pinned(W.digestB) && v.checks.map(\.kind) == ["Webhook", "Image"])
    #expect(s.conditions[type: "Verified"]?.status == .unknown)
    #expect(w.patched.isEmpty)
    #expect(w.events.map(\.reason) == ["Verifying"])
    let runs = w.trace.compactMap { a -> (VerifyStep, VerificationCandidate)? in if case .verify(let st, _, let c) = a { return (st, c) } else { return nil } }
    #expect(runs.map(\.0.kind) == ["Webhook", "Image"])
    #expect(runs.first?.1.digest == W.digestB && runs.first?.1.workloads == ["Deployment/web"] && runs.first?.1.requestID == "m1")
    #expect(w.kcd.pendingRequest != nil, "the request stays pending until verification ends")
  }

  @Test("all checks pass: the rollout starts in the same pass, Verified=True, the verification cleared")
  func passes() {
    var w = Self.world()
    w.pass()
    w.verifications = [0: .passed("200"), 1: .passed("exit 0")]
    w.pass()
    #expect(w.kcd.status.currStatus == .progressing)
    #expect(w.kcd.status.verification == nil)
    #expect(w.kcd.status.conditions[type: "Verified"]?.status == .true)
    #expect(w.image("web") == W.pinned(W.digestB))
  }

  @Test("one passed, the other still running: the pass is recorded, the other asked again, nothing patched")
  func partial() {
    var w = Self.world()
    w.pass()
    w.verifications = [0: .passed("200")]
    let d = w.decide()
    #expect(verifyActions(d) == [1])
    w.pass()
    #expect(w.kcd.status.verification?.checks[0].result == .passed && w.kcd.status.verification?.checks[1].result == nil)
    #expect(w.patched.isEmpty)
  }

  @Test("a failed check: failedDigest, Failed, a Warning Event with the reason, nothing patched; the digest is not verified again")
  func fails() {
    var w = Self.world()
    w.pass()
    w.verifications = [0: .passed("200"), 1: .failed("registry.example/smoke:1 failed; log: smoke test: 3 errors")]
    w.pass()
    let s = w.kcd.status
    #expect(s.currStatus == .failed && s.failedDigest == W.digestB)
    #expect(s.conditions[type: "Verified"]?.reason == "VerificationFailed")
    #expect(w.events.last?.reason == "VerificationFailed" && w.events.last?.message.contains("smoke test: 3 errors") == true)
    #expect(s.history.first?.result == .failed)
    #expect(w.patched.isEmpty)
    #expect(w.kcd.pendingRequest == nil)
    // The same digest again (another event): not verified again.
    w.kcd.request = W.request(W.digestB, id: "m2")
    w.verifications = [:]
    w.pass()
    #expect(!w.trace.suffix(3).contains { if case .verify = $0 { return true } else { return false } })
    #expect(w.kcd.status.lastEvent?.id == "m2")
  }

  @Test("a retry answer is no pass: the check is asked again and its message shown")
  func retry() {
    var w = Self.world()
    w.pass()
    w.verifications = [0: .retry("cannot create the Job now: 503"), 1: .passed("exit 0")]
    let d = w.decide()
    #expect(verifyActions(d) == [0])
    w.pass()
    #expect(w.kcd.status.verification?.checks[0].result == nil && w.kcd.status.verification?.checks[0].message?.contains("503") == true)
    #expect(w.kcd.status.currStatus == .verifying)
  }

  @Test("a newer request replaces the verification; the KCD's timeoutSeconds ends a verification that hangs")
  func supersedeAndDeadline() {
    var w = Self.world()
    w.pass()
    w.kcd.request = W.request(W.digestC, id: "m2")
    w.verifications = [:]
    w.pass()
    #expect(w.kcd.status.verification?.requestID == "m2" && w.kcd.status.verification?.digest == W.digestC)
    w.now += 301
    w.pass()
    #expect(w.kcd.status.currStatus == .failed && w.kcd.status.failedDigest == W.digestC)
    #expect(w.kcd.status.message?.contains("did not finish within") == true)
    #expect(w.patched.isEmpty)
  }

  @Test("after a restart (no answers in memory) the recorded results stand and only the missing checks run again")
  func resume() {
    var w = Self.world()
    w.pass()
    w.verifications = [0: .passed("200")]
    w.pass()
    w.verifications = [:]
    let d = w.decide()
    #expect(verifyActions(d) == [1])
    #expect(!d.actions.contains { if case .writeStatus = $0 { return true } else { return false } }, "nothing to write: the status already says it all")
  }

  @Test("an edited verify list starts over; without a verifier the KCD waits and says so")
  func editedAndNoVerifier() {
    var w = Self.world()
    w.pass()
    w.kcd.generation = 2
    w.verifications = [0: .passed("200"), 1: .passed("exit 0")]
    guard case .writeStatus(let s, _)? = w.decide().actions.first else { Issue.record("no status write"); return }
    #expect(s.verification?.generation == 2 && s.verification?.checks.allSatisfy { $0.result == nil } == true, "results of another spec do not count")
    #expect(s.currStatus == .verifying)
    var n = Self.world()
    n.settings.canVerify = false
    n.pass()
    n.pass()
    #expect(n.kcd.status.message?.contains("no verifier") == true && n.patched.isEmpty)
  }

  @Test("a CRD that prunes status.verification is reported, not looped on")
  func prunedByOldCRD() {
    var w = Self.world()
    var s = KCDStatus()
    s.currStatus = .verifying
    w.kcd.status = s
    let d = w.decide()
    #expect(d.next == .requeue(after: 60))
    #expect(d.actions.contains { if case .event(let e) = $0 { return e.reason == "CRDOutdated" } else { return false } })
  }
}
