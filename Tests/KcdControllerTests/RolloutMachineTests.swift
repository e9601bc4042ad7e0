@testable import KcdController
import KcdJSON
import KcdKube
import Testing

/// The rollout state machine, driven through `RolloutWorld` with an injected clock: start,
/// success, each failure reason, the deadline, supersede, a tag moved back, rollback, resume
/// from every persisted phase, and a stale copy that must never patch. No sleeps, no API.
@Suite struct RolloutMachineTests {
  typealias W = RolloutWorld

  static func world(request: RequestedRollout? = W.request(W.digestB, id: "msg_1"), spec: [String: JSON] = [:], status: KCDStatus = KCDStatus(),
                    workloads: [Workload]? = [W.deployment("web"), W.deployment("worker")]) -> RolloutWorld {
    RolloutWorld(kcd: W.kcd(spec, status: status, request: request), workloads: workloads)
  }

  @Test("start: the status is written (critical, before anything else), then the workloads are patched, pinned by digest")
  func start() throws {
    var w = Self.world()
    let first = w.decide()
    guard case .writeStatus(let s, let priority)? = first.actions.first else { Issue.record("\(first)"); return }
    #expect(priority == .critical)
    #expect(!first.actions.contains { if case .patch = $0 { return true } else { return false } }, "nothing is patched in the step that starts")
    #expect(s.currStatus == .progressing)
    #expect(s.currDigest == W.digestB && s.currVersion == "3ae8d1b")
    let rollout = try #require(s.rollout)
    #expect(rollout.image == W.pinned(W.digestB))
    #expect(rollout.workloads.map(\.name) == ["web", "worker"])
    #expect(rollout.workloads[0].containers == ["web"] && rollout.workloads[0].previous == ["web": "registry.example/shop/web:1.0"])
    #expect(s.lastEvent?.id == "msg_1")
    #expect(s.history.first?.result == .progressing)
    #expect(s.conditions[type: "Ready"]?.reason == "RolloutInProgress")
    #expect(first.next == .again)

    let next = w.pass()
    #expect(w.patched == [W.ref("web"), W.ref("worker")])
    #expect(w.image("web") == W.pinned(W.digestB) && w.image("worker") == W.pinned(W.digestB))
    #expect(w.patches.allSatisfy { $0.purpose == .rollout && $0.receivedAt == W.t0 - 0.5 })
    #expect(w.memo == [W.ref("web"): 4, W.ref("worker"): 4], "the generations the patches produced are remembered")
    #expect(w.statusWrites.count == 1, "and not written on their own: the start is the only write so far")
    guard case .requeue(let after) = next else { Issue.record("\(next)"); return }
    #expect(after <= 5)
    #expect(w.events.map(\.reason) == ["RolloutStarted"])
  }

  @Test("success: once every workload is available the rollout ends Success and the next look is idle")
  func success() {
    var w = Self.world()
    w.pass()
    w.settle("web")
    w.settle("worker")
    w.now += 4
    let next = w.pass()
    #expect(next == .idle)
    let s = w.kcd.status
    #expect(s.currStatus == .success && s.successDigest == W.digestB && s.successVersion == "3ae8d1b")
    #expect(s.failedDigest == nil)
    #expect(s.rollout?.result == .success && s.rollout?.finishedAt == W.t0 + 4)
    #expect(s.rollout?.workloads.map(\.generation) == [4, 4], "the finish writes the generations")
    #expect(w.statusWrites.count == 2, "a rollout costs two status writes: its start and its end")
    #expect(s.history.first?.result == .success && s.history.first?.finishedAt == W.t0 + 4)
    #expect(s.conditions[type: "Ready"]?.status == .true && s.conditions[type: "Progressing"]?.reason == "RolloutComplete")
    #expect(w.trace.contains(.finished(.success, seconds: 4, sinceEvent: 4.5)), "the event arrived half a second before the start")
    #expect(w.events.last?.reason == "RolloutSucceeded")
    #expect(w.patched.count == 2, "no second patch")
  }

  @Test("while some replicas are not available yet the rollout waits, then requeues", arguments: [1.0, 200.0])
  func waiting(_ elapsed: Double) {
    var w = Self.world()
    w.pass()
    w.settle("web")
    w.settle("worker", available: false)
    w.now += elapsed
    w.pods[W.ref("worker")] = [PodSummary(name: "worker-1", images: [W.pinned(W.digestB)], waiting: [("web", "ContainerCreating")])]
    guard case .requeue = w.pass() else { Issue.record("should wait"); return }
    #expect(w.kcd.status.currStatus == .progressing)
  }

  /// Each way a rollout fails, with rollback off: Failed, the digest remembered.
  static let failures: [(String, String, @Sendable (inout RolloutWorld) -> Void)] = [
    ("ProgressDeadlineExceeded", "deployment exceeded its progress deadline", { w in
      w.settle("web")
      w.mutate(W.ref("worker")) { $0.progress.observedGeneration = $0.generation; $0.progress.progressDeadlineExceeded = "timed out" }
    }),
    ("ReplicaFailure", "exceeded quota", { w in
      w.settle("web")
      w.mutate(W.ref("worker")) { $0.progress.observedGeneration = $0.generation; $0.progress.replicaFailure = "exceeded quota" }
    }),
    ("CrashLoopBackOff", "pod worker-1 container web: CrashLoopBackOff", { w in
      w.settle("web")
      w.settle("worker", available: false)
      w.now += 10
      w.pods[W.ref("worker")] = [PodSummary(name: "worker-1", images: [W.pinned(W.digestB)], waiting: [("web", "CrashLoopBackOff")])]
    }),
    ("WorkloadDeleted", "Deployment shop/worker no longer exists", { w in w.workloads?.removeAll { $0.ref.name == "worker" } }),
    ("Superseded", "Deployment shop/web was changed to another image during the rollout", { w in
      w.mutate(W.ref("web")) { $0.containers[0].image = "registry.example/shop/web:hotfix"; $0.generation += 1 }
    }),
    ("Timeout", "rollout did not finish within 300 s", { w in
      w.settle("web")
      w.settle("worker", available: false)
      w.now += 301
    }),
  ]

  @Test("each failure reason ends the rollout Failed (rollback off) and remembers the digest", arguments: failures)
  func failure(_ reason: String, _ message: String, _ cause: @Sendable (inout RolloutWorld) -> Void) throws {
    var w = Self.world(spec: ["rollback": ["enabled": false]])
    w.pass()
    cause(&w)
    w.pass()
    let s = w.kcd.status
    #expect(s.currStatus == .failed, "\(reason): \(s.message ?? "")")
    #expect(s.failedDigest == W.digestB)
    #expect(s.successDigest == nil)
    #expect(s.conditions[type: "Progressing"]?.reason == reason)
    #expect(s.conditions[type: "Ready"]?.reason == "RolloutFailed")
    #expect(s.message?.contains(message) == true, "\(s.message ?? "")")
    #expect(s.history.first?.result == .failed)
    #expect(w.events.contains { $0.reason == "RolloutFailed" && $0.on == nil })
    #expect(w.patched.count == 2, "rollback off: nothing put back")
    #expect(w.trace.contains { if case .finished(.failed, _, _) = $0 { return true } else { return false } })
  }

  @Test("a patch the API refuses for good ends the rollout PatchRejected")
  func patchRejected() {
    var w = Self.world(spec: ["rollback": ["enabled": false]])
    w.refusedPatches[W.ref("worker")] = "403 Forbidden: cannot patch"
    w.pass()
    #expect(w.kcd.status.currStatus == .failed)
    #expect(w.kcd.status.conditions[type: "Progressing"]?.reason == "PatchRejected")
  }

  @Test("rollback: the intent is written first, every patched workload gets its previous images, the KCD says RolledBack")
  func rollback() throws {
    var success = KCDStatus()
    success.successDigest = W.digestA
    success.successVersion = "1111111"
    success.currDigest = W.digestA
    success.currStatus = .success
    var w = Self.world(status: success)
    w.pass()
    w.settle("web")
    w.settle("worker", available: false)
    w.now += 10
    w.pods[W.ref("worker")] = [PodSummary(name: "worker-1", images: [W.pinned(W.digestB)], waiting: [("web", "ImagePullBackOff")])]
    let before = w.trace.count
    w.pass()
    let steps = Array(w.trace[before...])
    guard case .writeStatus(let intent, let priority)? = steps.first else { Issue.record("\(steps)"); return }
    #expect(intent.rollout?.rollback?.reason == "ImagePullBackOff" && priority == .critical, "the intent comes before any rollback patch")
    #expect(w.patches.filter { $0.purpose == .rollback }.map(\.ref) == [W.ref("web"), W.ref("worker")])
    #expect(w.image("web") == "registry.example/shop/web:1.0" && w.image("worker") == "registry.example/shop/web:1.0")
    let s = w.kcd.status
    #expect(s.currStatus == .rolledBack)
    #expect(s.currDigest == W.digestA && s.currVersion == "1111111", "what runs is the last good version again")
    #expect(s.failedDigest == W.digestB)
    #expect(s.conditions[type: "Ready"]?.reason == "RolledBack")
    #expect(s.message?.contains("rolled back Deployment shop/web, Deployment shop/worker") == true, "\(s.message ?? "")")
    #expect(w.events.contains { $0.reason == "RolledBack" && $0.on == nil })
  }

  @Test("rollback leaves alone a workload someone else changed since")
  func rollbackRespectsOthers() {
    var w = Self.world()
    w.pass()
    w.mutate(W.ref("web")) { $0.progress.observedGeneration = $0.generation; $0.progress.progressDeadlineExceeded = "slow" }
    w.mutate(W.ref("worker")) { $0.containers[0].image = "registry.example/shop/web:manual" }
    w.pass()
    #expect(w.image("worker") == "registry.example/shop/web:manual")
  }

  @Test("the deadline holds even when the workload cache cannot answer: a rollback is intended, and its own deadline ends it")
  func deadlineWithoutCache() {
    var w = Self.world()
    w.pass()
    w.workloads = nil
    w.now += 331
    #expect(w.pass() == .requeue(after: 1))
    #expect(w.kcd.status.rollout?.rollback?.reason == "Timeout")
    w.now += 301
    w.pass()
    #expect(w.kcd.status.currStatus == .failed)
    #expect(w.kcd.status.conditions[type: "Progressing"]?.reason == "Timeout")
    #expect(w.kcd.status.message?.contains("the rollback did not complete within 300 s") == true)
    var off = Self.world(spec: ["rollback": ["enabled": false]])
    off.pass()
    off.workloads = nil
    off.now += 331
    off.pass()
    #expect(off.kcd.status.currStatus == .failed, "without rollback the deadline ends it at once")
  }

  @Test("a newer request waits behind the rollout in flight, then starts in the same pass as the finish")
  func supersede() {
    var w = Self.world()
    w.pass()
    w.kcd.request = W.request(W.digestC, id: "msg_2", version: "cccccc1")
    w.pass()
    #expect(w.kcd.status.rollout?.digest == W.digestB, "the rollout in flight is followed, not abandoned")
    #expect(w.patched.count == 2)
    w.settle("web")
    w.settle("worker")
    w.pass()
    #expect(w.kcd.status.history.map(\.digest).prefix(2) == [W.digestC, W.digestB])
    #expect(w.kcd.status.history[1].result == .success)
    #expect(w.kcd.status.currStatus == .progressing && w.kcd.status.currDigest == W.digestC)
    #expect(w.image("web") == W.pinned(W.digestC, version: "cccccc1"))
  }

  @Test("a tag moved back rolls the older digest out again; a failed digest is not redeployed")
  func tagMovedBack() {
    var done = KCDStatus()
    done.currDigest = W.digestB
    done.currStatus = .success
    done.successDigest = W.digestB
    done.failedDigest = W.digestC
    done.lastEvent = .init(source: "ci", id: "msg_1", receivedAt: W.t0 - 100)
    var back = Self.world(request: W.request(W.digestA, id: "msg_2", version: "aaaaaa1"), status: done)
    back.pass()
    #expect(back.kcd.status.currDigest == W.digestA && back.kcd.status.currStatus == .progressing)
    #expect(back.image("web") == W.pinned(W.digestA, version: "aaaaaa1"))

    var failed = Self.world(request: W.request(W.digestC, id: "msg_3"), status: done)
    #expect(failed.pass() == .idle)
    #expect(failed.patched.isEmpty)
    #expect(failed.kcd.status.lastEvent?.id == "msg_3", "the request is settled")
    #expect(failed.kcd.status.currDigest == W.digestB)
  }

  /// A rollout as a previous leader left it in the status.
  static func inFlight(patched: Bool, generations: Bool, rollback: Bool = false) -> RolloutWorld {
    var w = world()
    w.pass(maxSteps: 1)  // the start write only
    if patched {
      for name in ["web", "worker"] { w.mutate(W.ref(name)) { $0.containers[0].image = W.pinned(W.digestB); $0.generation += 1 } }
    }
    if generations {
      let recorded = w.kcd.status.rollout!.workloads.map { var t = $0; t.generation = 4; return t }
      w.kcd.status.rollout?.workloads = recorded
    }
    if rollback { w.kcd.status.rollout?.rollback = RollbackIntent(reason: "CrashLoopBackOff", message: "crash", startedAt: W.t0 + 5) }
    w.trace = []
    w.patched = []
    w.memo = [:]
    return w
  }

  @Test("resume after a restart between the start write and the patches: a claim write, then the patches")
  func resumeBeforePatch() {
    var w = Self.inFlight(patched: false, generations: false)
    let first = w.decide()
    guard case .writeStatus(let s, let p)? = first.actions.first, first.actions.count == 1 else { Issue.record("\(first)"); return }
    #expect(s.rollout?.claims == 1 && p == .critical, "the claim's precondition proves the copy current")
    w.pass()
    #expect(w.patched == [W.ref("web"), W.ref("worker")])
  }

  @Test("resume after the patches but before their generations were recorded: no second patch")
  func resumeAfterPatch() {
    var w = Self.inFlight(patched: true, generations: false)
    w.pass()
    #expect(w.patched.isEmpty)
    #expect(w.memo == [W.ref("web"): 4, W.ref("worker"): 4], "read off the workloads that run the image")
    w.settle("web")
    w.settle("worker")
    w.pass()
    #expect(w.kcd.status.currStatus == .success && w.kcd.status.rollout?.workloads.map(\.generation) == [4, 4])
  }

  @Test("resume with everything recorded: only tracking, then success")
  func resumeTracking() {
    var w = Self.inFlight(patched: true, generations: true)
    #expect(w.decide().actions.isEmpty)
    w.settle("web")
    w.settle("worker")
    w.pass()
    #expect(w.patched.isEmpty && w.kcd.status.currStatus == .success)
  }

  @Test("resume a rollback another leader started: claim, then put back only what still runs the new image")
  func resumeRollback() {
    var w = Self.inFlight(patched: true, generations: true, rollback: true)
    w.mutate(W.ref("web")) { $0.containers[0].image = "registry.example/shop/web:1.0" }  // restored before the restart
    let first = w.decide()
    guard case .writeStatus(let s, _)? = first.actions.first else { Issue.record("\(first)"); return }
    #expect(s.rollout?.claims == 1)
    w.pass()
    #expect(w.patched == [W.ref("worker")])
    #expect(w.kcd.status.currStatus == .rolledBack)
  }

  @Test("a restart loses the remembered generations: a failure still rolls back what runs the new image")
  func rollbackAfterRestart() {
    var w = Self.world()
    w.pass()
    w.memo = [:]
    w.settle("web")
    w.mutate(W.ref("worker")) { $0.progress.observedGeneration = $0.generation; $0.progress.progressDeadlineExceeded = "slow" }
    w.pass()
    #expect(w.kcd.status.currStatus == .rolledBack)
    #expect(w.image("web") == "registry.example/shop/web:1.0" && w.image("worker") == "registry.example/shop/web:1.0")
  }

  @Test("the deadline after a restart (nothing remembered) still rolls back the workloads that took the image")
  func deadlineAfterRestart() {
    var w = Self.world()
    w.pass()
    w.memo = [:]
    w.now += 400
    w.pass()
    #expect(w.kcd.status.currStatus == .rolledBack, "\(w.kcd.status.message ?? "")")
    #expect(w.image("web") == "registry.example/shop/web:1.0")
  }

  @Test("a rollout that finished while kcd was away is a success, however late kcd looks", arguments: [false, true])
  func lateLookSucceeds(restarted: Bool) {
    var w = Self.world()
    w.pass()
    w.settle("web")
    w.settle("worker")
    if restarted { w.memo = [:] }
    w.now += 331
    w.pass()
    #expect(w.kcd.status.currStatus == .success, "\(w.kcd.status.message ?? "")")
    #expect(w.image("web") == W.pinned(W.digestB) && w.kcd.status.failedDigest == nil)
  }

  @Test("a KCD that turns invalid mid-rollout still has its rollout ended by the deadline it started with")
  func invalidMidRollout() {
    var w = Self.world(spec: ["timeoutSeconds": 60])
    w.pass()
    #expect(w.kcd.status.rollout?.policy == RolloutPolicy(timeoutSeconds: 60, rollbackEnabled: true))
    w.kcd = W.kcd(["selector": .object([:])], status: w.kcd.status)
    #expect(w.kcd.spec == nil)
    w.now += 61
    w.pass()
    #expect(w.kcd.status.currStatus == .rolledBack, "\(w.kcd.status.message ?? "")")
    #expect(w.image("web") == "registry.example/shop/web:1.0")
    #expect(w.kcd.status.history.first?.result == .rolledBack)
  }

  @Test("after a restart a workload someone set to another image mid-rollout is left alone: Superseded, not patched again")
  func hotfixDuringRolloutSurvivesRestart() {
    var w = Self.inFlight(patched: true, generations: false)
    w.mutate(W.ref("web")) { $0.containers[0].image = "registry.example/shop/web:hotfix"; $0.generation += 1 }
    w.pass()
    #expect(!w.patched.contains(W.ref("web")))
    #expect(w.image("web") == "registry.example/shop/web:hotfix")
    #expect(w.kcd.status.message?.contains("was changed to another image during the rollout") == true, "\(w.kcd.status.message ?? "")")
  }

  @Test("a finished rollout with nothing pending stays idle")
  func resumeFinished() {
    var w = Self.world()
    w.pass()
    w.settle("web")
    w.settle("worker")
    w.pass()
    w.trace = []
    #expect(w.pass() == .idle)
    #expect(w.trace.isEmpty)
  }

  @Test("a stale cached copy that still shows an older rollout never patches: its only write carries the old resourceVersion")
  func staleCopy() {
    // The cache says rollout A (digest A) is in flight and unpatched; in truth rollout B has
    // since started and the workloads run B. Acting on the copy would revert them.
    var stale = Self.inFlight(patched: false, generations: false)
    stale.kcd.status.rollout?.image = W.pinned(W.digestA)
    stale.kcd.status.rollout?.digest = W.digestA
    for name in ["web", "worker"] { stale.mutate(W.ref(name)) { $0.containers[0].image = W.pinned(W.digestB); $0.generation += 1 } }
    let d = stale.decide(fresh: false)
    #expect(!d.actions.contains { if case .patch = $0 { return true } else { return false } })
    guard case .writeStatus? = d.actions.first else { Issue.record("\(d)"); return }
  }

  @Test("a KCD with a field this kcd does not implement is refused (status, Warning Event) and nothing is patched")
  func unsupported() {
    // Every field of this release is implemented; a future field would be refused like this.
    var w = Self.world()
    w.kcd.problems = [SpecProblem(.unsupported, "spec.future", "spec.future (a future feature) is not supported by this kcd yet")]
    #expect(w.pass() == .idle)
    #expect(w.patched.isEmpty)
    let s = w.kcd.status
    #expect(s.conditions[type: "Ready"]?.status == .false && s.conditions[type: "Ready"]?.reason == "Unsupported")
    #expect(s.currStatus == nil && s.rollout == nil)
    #expect(w.events.map(\.reason) == ["Unsupported"])
    #expect(w.events.first?.kind == .warning)
    w.trace = []
    w.pass()
    #expect(w.trace.isEmpty, "reported once per generation")
  }

  @Test("an unknown workload cache is not an empty one: the request waits")
  func cacheNotSynced() {
    var w = Self.world(workloads: nil)
    #expect(w.pass() == .requeue(after: 1))
    #expect(w.trace.isEmpty)
  }

  @Test("no selected workload runs the repository: NoWorkload, the request settled")
  func noWorkload() {
    var w = Self.world(workloads: [W.deployment("other", labels: ["app": "other"]), W.deployment("api", image: "registry.example/shop/api:1")])
    #expect(w.pass() == .idle)
    #expect(w.kcd.status.conditions[type: "Ready"]?.reason == "NoWorkload")
    #expect(w.kcd.status.lastEvent?.id == "msg_1")
    #expect(w.events.map(\.reason) == ["NoWorkload"])
  }

  @Test("a workload another controller owns is not selected")
  func controlled() {
    var owned = W.deployment("web-7d4")
    owned.isControlled = true
    var w = Self.world(workloads: [W.deployment("web"), owned])
    w.pass()
    #expect(w.patched == [W.ref("web")])
  }

  @Test("registry events are confirmed off the workers: resolve, then retry, refuse a mismatch, or start")
  func confirmation() {
    var w = Self.world(request: W.request(W.digestB, id: "reg_1", source: "distribution"))
    w.settings.canResolve = true
    let ask = w.decide()
    #expect(ask.actions == [.resolve(w.kcd.request!, confirm: true)] && ask.next == .idle)

    w.resolution = .failed("registry.example: 503")
    #expect(w.pass() == .requeue(after: 10))
    #expect(w.kcd.status.message == "registry.example: 503" && w.patched.isEmpty)

    var mismatch = Self.world(request: W.request(W.digestB, id: "reg_2", source: "distribution"))
    mismatch.settings.canResolve = true
    mismatch.resolution = .mismatch(claimed: W.digestB, actual: W.digestC)
    #expect(mismatch.pass() == .idle)
    #expect(mismatch.patched.isEmpty && mismatch.events.map(\.reason) == ["DigestMismatch"])
    #expect(mismatch.trace.contains(.digestMismatch(source: "distribution")))
    #expect(mismatch.kcd.status.lastEvent?.id == "reg_2")

    var ok = Self.world(request: W.request(nil, id: "reg_3", source: "dockerhub", version: nil))
    ok.settings.canResolve = true
    ok.resolution = .digest(W.digestC, versionTags: ["main", "cccccc1", "latest"])
    ok.pass()
    #expect(ok.image("web") == W.pinned(W.digestC, version: "cccccc1"), "the version is a sibling tag matching versionSyntax")
  }

  @Test("a signed CI digest is trusted without a look-up; without a version it is named by the digest")
  func trustedCI() {
    var w = Self.world(request: W.request(W.digestB, id: "msg_9", version: nil))
    w.pass()
    #expect(w.image("web") == "registry.example/shop/web:bbbbbbbbbbbb@\(W.digestB)")
  }

  @Test("a suspended KCD holds the request and says so")
  func suspended() {
    var w = Self.world(spec: ["suspend": true])
    #expect(w.pass() == .idle)
    #expect(w.kcd.status.currStatus == .suspended && w.patched.isEmpty)
  }
}
