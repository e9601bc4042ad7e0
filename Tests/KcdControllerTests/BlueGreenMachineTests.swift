@testable import KcdController
import KcdJSON
import KcdKube
import Testing

/// ServiceBlueGreen in the rollout machine, on an injected clock (docs/blue-green.md): the plan
/// is written first, the idle side is patched, shown, scaled and waited for, the live Service is
/// switched only to an available side and read back, the old side scaled down; refusals touch
/// nothing; failures before the switch put the idle side back, after it switch the Service
/// back; a kcd that dies after any action is followed by one that finishes with one switch.
@Suite struct BlueGreenMachineTests {
  typealias W = RolloutWorld

  static let old = "registry.example/shop/web:1.0"

  /// A Deployment of one side: selected by app=web, told apart by its pod template's color.
  static func side(_ name: String, color: String, replicas: Int64, image: String = old) -> Workload {
    var w = W.deployment(name, image: image, replicas: replicas)
    w.templateLabels = ["app": "web", "color": color]
    w.podLabels = ["app": "web", "color": color]
    return w
  }

  static func spec(scaleDown: Bool = true, verification: Bool = true, rollback: Bool = true) -> [String: JSON] {
    var bg: JSON = ["serviceName": "web", "labelNames": ["color"], "scaleDown": .bool(scaleDown)]
    if verification { bg["verificationServiceName"] = "web-preview" }
    return ["strategy": ["kind": "ServiceBlueGreen", "blueGreen": bg], "rollback": ["enabled": .bool(rollback)]]
  }

  /// blue (3 replicas) is live behind Service web; green (0 replicas) is idle.
  static func world(_ spec: [String: JSON] = spec(), greenReplicas: Int64 = 0, request: RequestedRollout? = W.request(W.digestB, id: "bg_1")) -> RolloutWorld {
    var w = RolloutWorld(kcd: W.kcd(spec, request: request),
                         workloads: [side("web-blue", color: "blue", replicas: 3), side("web-green", color: "green", replicas: greenReplicas)])
    w.services["web"] = ServiceState(name: "web", resourceVersion: "100", selector: ["app": "web", "color": "blue"])
    w.services["web-preview"] = ServiceState(name: "web-preview", resourceVersion: "101", selector: ["app": "web", "color": "blue"])
    return w
  }

  static let blue = W.ref("web-blue"), green = W.ref("web-green")

  /// Picks the status write that records this step.
  static func wrote(_ step: BlueGreenPlan.Step) -> (RolloutAction) -> Bool {
    { a in if case .writeStatus(let s, _) = a { return s.rollout?.blueGreen?.step == step } else { return false } }
  }

  func replicas(_ w: RolloutWorld, _ ref: WorkloadRef) -> Int64? { w.workloads?.first { $0.ref == ref }?.progress.replicas }
  func switches(_ w: RolloutWorld) -> [ServicePatch] { w.servicePatched.filter { $0.name == "web" } }

  @Test("happy path, step by step: plan first, idle patched + previewed + scaled, waited for, switched, read back, old side to zero")
  func happyPath() throws {
    var w = Self.world()
    #expect(w.decide().actions == [.readService("web"), .readService("web-preview")], "both Services are read fresh before anything")
    w.serviceReads = ["web": .found(w.services["web"]!), "web-preview": .found(w.services["web-preview"]!)]
    let first = w.decide()
    guard case .writeStatus(let s, .critical)? = first.actions.first else { Issue.record("\(first)"); return }
    let plan = try #require(s.rollout?.blueGreen)
    #expect(plan.step == .deploying && plan.service == "web" && plan.verificationService == "web-preview" && plan.labelNames == ["color"])
    #expect(plan.live == .init(name: "web-blue", labels: ["color": "blue"], replicas: 3))
    #expect(plan.idle == .init(name: "web-green", labels: ["color": "green"], replicas: 0))
    #expect(plan.replicas == 3 && plan.scaleDown)
    #expect(s.rollout?.workloads.map(\.name) == ["web-green"] && s.rollout?.workloads.first?.previous == ["web": Self.old])
    #expect(!first.actions.contains { if case .patch = $0 { true } else if case .scale = $0 { true } else { false } }, "the plan is written before any change")

    w.pass()
    #expect(w.image("web-green") == W.pinned(W.digestB) && replicas(w, Self.green) == 3)
    #expect(w.services["web-preview"]?.selector == ["app": "web", "color": "green"], "the verification Service shows the idle side")
    #expect(w.services["web"]?.selector["color"] == "blue", "the live Service waits for the idle side")
    #expect(w.image("web-blue") == Self.old && replicas(w, Self.blue) == 3, "the live side is untouched")
    #expect(w.kcd.status.rollout?.blueGreen?.step == .deploying && w.kcd.status.currStatus == .progressing)
    #expect(w.events.map(\.reason) == ["RolloutStarted", "BlueGreenPlanned"])
    #expect(w.patches.first?.reason == "BlueGreenIdlePatched" && w.scales.first?.reason == "BlueGreenIdleScaled")

    w.now += 2
    w.pass()
    #expect(switches(w).isEmpty, "not switched while the idle side is not available")

    w.settle("web-green")
    w.now += 2
    let before = w.trace.count
    #expect(w.pass() == .idle)
    let steps = Array(w.trace[before...])
    let order = steps.compactMap { a -> String? in
      switch a {
      case .writeStatus(let s, _): return "status:\(s.rollout?.blueGreen?.step.rawValue ?? "")\(s.currStatus == .success ? ":Success" : "")"
      case .patchService(let p): return "patch:\(p.name)"
      case .readService(let n): return "read:\(n)"
      case .scale(let s): return "scale:\(s.ref.name)=\(s.replicas)"
      default: return nil
      }
    }
    #expect(order == ["read:web-preview", "status:Switching", "read:web", "patch:web", "read:web", "status:Switched", "scale:web-blue=0", "status:Switched:Success"], "\(order)")
    let done = w.kcd.status
    #expect(done.currStatus == .success && done.successDigest == W.digestB)
    #expect(done.rollout?.blueGreen?.switchedAt == W.t0 + 4)
    #expect(w.services["web"]?.selector == ["app": "web", "color": "green"])
    #expect(replicas(w, Self.blue) == 0 && w.image("web-blue") == Self.old)
    #expect(switches(w).count == 1)
    #expect(done.message?.contains("is live: Service web selects web-green") == true, "\(done.message ?? "")")
    #expect(w.events.map(\.reason).suffix(5) == ["BlueGreenIdleAvailable", "BlueGreenIdleAvailable", "BlueGreenSwitchConfirmed", "BlueGreenSwitchConfirmed", "RolloutSucceeded"])
    #expect(w.unconfirmedChanges == 0)
  }

  @Test("without a verification Service, scaleDown or a lower idle side: only the image is set; the old side keeps its replicas")
  func minimal() {
    var w = Self.world(Self.spec(scaleDown: false, verification: false), greenReplicas: 5)
    w.pass()
    #expect(w.scales.isEmpty && w.servicePatched.isEmpty && w.kcd.status.rollout?.blueGreen?.replicas == 5)
    w.settle("web-green")
    w.pass()
    #expect(w.kcd.status.currStatus == .success && replicas(w, Self.blue) == 3)
    #expect(switches(w).count == 1 && !w.trace.contains(.readService("web-preview")))
  }

  /// Worlds kcd must refuse, with what the message says.
  static let refusals: [(String, String, @Sendable (inout RolloutWorld) -> Void)] = [
    ("one Deployment", "needs exactly two Deployments in shop matching the selector app=web; found 1 (web-blue)", { w in w.workloads?.removeAll { $0.ref.name == "web-green" } }),
    ("three Deployments", "found 3 (web-blue, web-green, web-red)", { w in w.workloads?.append(side("web-red", color: "red", replicas: 1)) }),
    ("no live Service", "Service shop/web does not exist", { w in w.services["web"] = nil }),
    ("no verification Service", "Service shop/web-preview does not exist", { w in w.services["web-preview"] = nil }),
    ("selector without the label", "the selector of Service web has no color label", { w in w.services["web"]?.selector = ["app": "web"] }),
    ("a side without the label", "the pod template of Deployment web-green has no color label", { w in w.mutate(W.ref("web-green")) { $0.templateLabels = ["app": "web"] } }),
    ("selects neither side", "selects neither Deployment web-blue (color=blue) nor web-green (color=green)", { w in w.services["web"]?.selector["color"] = "red" }),
    ("both sides alike", "selects both Deployments", { w in w.mutate(W.ref("web-green")) { $0.templateLabels["color"] = "blue" } }),
    ("idle side without the container", "the idle Deployment web-green has no container running registry.example/shop/web", { w in
      w.mutate(W.ref("web-green")) { $0.containers = [.init(name: "other", image: "registry.example/other:1")] }
    }),
  ]

  @Test("a cluster kcd cannot plan on is refused: status, Warning Event, the request settled, nothing changed", arguments: refusals)
  func refused(_ name: String, _ says: String, _ change: @Sendable (inout RolloutWorld) -> Void) {
    var w = Self.world()
    change(&w)
    #expect(w.pass() == .idle)
    let s = w.kcd.status
    #expect(s.conditions[type: "Ready"]?.reason == "BlueGreenRefused" && s.conditions[type: "Ready"]?.status == .false, "\(name)")
    #expect(s.message?.contains(says) == true, "\(name): \(s.message ?? "")")
    #expect(s.currStatus == nil && s.rollout == nil && s.lastEvent?.id == "bg_1")
    #expect(w.events.map(\.reason) == ["BlueGreenRefused"] && w.events.first?.kind == .warning)
    #expect(w.patches.isEmpty && w.scales.isEmpty && w.servicePatched.isEmpty, "\(name)")
  }

  @Test("an idle side that never becomes available is never switched to; rollback puts its image and replicas back", arguments: ["deadline", "timeout"])
  func failingIdle(_ how: String) {
    var w = Self.world()
    w.pass()
    if how == "deadline" {
      w.mutate(Self.green) { $0.progress.observedGeneration = $0.generation; $0.progress.progressDeadlineExceeded = "ReplicaSet web-green-1 has timed out progressing" }
    } else {
      w.settle("web-green", available: false)
      w.now += 301
    }
    w.pass()
    let s = w.kcd.status
    #expect(s.currStatus == .rolledBack && s.failedDigest == W.digestB, "\(s.message ?? "")")
    #expect(s.conditions[type: "Progressing"]?.reason == (how == "deadline" ? "ProgressDeadlineExceeded" : "Timeout"))
    #expect(switches(w).isEmpty && w.services["web"]?.selector["color"] == "blue", "never switched")
    #expect(w.image("web-green") == Self.old && replicas(w, Self.green) == 0, "the idle side as it was")
    #expect(!w.patches.contains { $0.ref == Self.blue } && !w.scales.contains { $0.ref == Self.blue }, "the live side untouched")
    #expect(s.message?.contains("Service web was not switched") == true && s.message?.contains("put the idle side web-green back") == true, "\(s.message ?? "")")
    #expect(w.events.contains { $0.reason == "RolledBack" })
  }

  @Test("rollback off: the failed idle side stays as it is, the live Service untouched, Failed")
  func failingIdleNoRollback() {
    var w = Self.world(Self.spec(rollback: false))
    w.pass()
    w.mutate(Self.green) { $0.progress.observedGeneration = $0.generation; $0.progress.progressDeadlineExceeded = "slow" }
    w.pass()
    #expect(w.kcd.status.currStatus == .failed && w.image("web-green") == W.pinned(W.digestB) && switches(w).isEmpty)
  }

  @Test("the API refusing the switch, or someone else changing the Service, ends the rollout without a switch")
  func switchRefusedOrChanged() {
    var refused = Self.world()
    refused.refusedServicePatches["web"] = "403 Forbidden"
    refused.pass()
    refused.settle("web-green")
    refused.pass()
    #expect(refused.kcd.status.conditions[type: "Progressing"]?.reason == "PatchRejected" && refused.kcd.status.currStatus == .rolledBack)
    #expect(refused.services["web"]?.selector["color"] == "blue" && refused.image("web-green") == Self.old)

    var changed = Self.world()
    changed.pass()
    changed.settle("web-green")
    changed.pass(crashWhen: Self.wrote(.switching))
    changed.services["web"]?.selector["color"] = "purple"
    changed.pass()
    #expect(changed.kcd.status.conditions[type: "Progressing"]?.reason == "ServiceChanged", "\(changed.kcd.status.message ?? "")")
    #expect(changed.services["web"]?.selector["color"] == "purple", "left alone")
    #expect(switches(changed).isEmpty)
  }

  @Test("someone else's image on the idle side mid-rollout is not undone: Superseded")
  func superseded() {
    var w = Self.world()
    w.pass()
    w.mutate(Self.green) { $0.containers[0].image = "registry.example/shop/web:hotfix"; $0.generation += 1 }
    w.restart()
    w.pass()
    #expect(w.kcd.status.conditions[type: "Progressing"]?.reason == "Superseded")
    #expect(w.image("web-green") == "registry.example/shop/web:hotfix" && switches(w).isEmpty)

    // Re-imaged after the idle side was found available, before the switch: not switched to.
    var late = Self.world()
    late.pass()
    late.settle("web-green")
    late.pass(crashWhen: Self.wrote(.switching))
    late.mutate(Self.green) { $0.containers[0].image = "registry.example/shop/web:hotfix"; $0.generation += 1 }
    late.settle("web-green")
    late.restart()
    late.pass()
    #expect(late.kcd.status.conditions[type: "Progressing"]?.reason == "Superseded", "\(late.kcd.status.message ?? "")")
    #expect(switches(late).isEmpty && late.services["web"]?.selector["color"] == "blue")
    #expect(late.image("web-green") == "registry.example/shop/web:hotfix", "someone else's image stays")
  }

  /// Runs a rollout to its end, settling Deployments as Kubernetes would, and kcd dying after
  /// the `crashAt`-th action. Returns the number of actions taken.
  @discardableResult
  static func drive(_ w: inout RolloutWorld, crashAt: Int? = nil, restartEveryPass: Bool = false) -> Int {
    var done = 0
    for _ in 0..<40 {
      if w.kcd.status.currStatus != .progressing && w.kcd.pendingRequest == nil { break }
      let before = w.trace.count
      var crash: Int?
      if let c = crashAt, c > done { crash = c - done }
      w.pass(crashAfter: crash)
      done += w.trace.count - before
      if restartEveryPass { w.restart() }
      for name in ["web-green", "web-blue"] {
        if let x = w.workloads?.first(where: { $0.ref.name == name }), x.progress.observedGeneration < x.generation || x.progress.availableReplicas != x.progress.replicas {
          w.settle(name)
        }
      }
      w.now += 1
    }
    return done
  }

  @Test("kcd dying after any action, or forgetting everything between passes, still ends in one switch and success")
  func resumeEverywhere() {
    var clean = Self.world()
    let total = Self.drive(&clean)
    #expect(clean.kcd.status.currStatus == .success && switches(clean).count == 1)
    #expect(total > 10)
    for crashAt in 1...total {
      var w = Self.world()
      Self.drive(&w, crashAt: crashAt)
      #expect(w.kcd.status.currStatus == .success, "crash after action \(crashAt): \(w.kcd.status.message ?? "")")
      #expect(switches(w).count == 1, "crash after action \(crashAt): \(switches(w))")
      #expect(w.services["web"]?.selector["color"] == "green" && replicas(w, Self.blue) == 0)
      #expect(w.patches.filter { $0.ref == Self.green }.count == 1, "crash after action \(crashAt)")
      #expect(w.unconfirmedChanges == 0, "crash after action \(crashAt)")
    }
    var amnesiac = Self.world()
    Self.drive(&amnesiac, restartEveryPass: true)
    #expect(amnesiac.kcd.status.currStatus == .success && switches(amnesiac).count == 1)
  }

  @Test("strategy.verify runs once the idle side is available, before the switch: passing switches, failing never does")
  func checksBeforeSwitch() {
    var spec = Self.spec()
    spec["strategy"]?["verify"] = [["kind": "Webhook", "url": "https://qa.example/preview"]]
    for passes in [true, false] {
      var w = Self.world(spec)
      w.settings.canVerify = true
      for _ in 0..<8 where w.kcd.status.verification == nil && w.kcd.status.currStatus == .progressing || w.kcd.pendingRequest != nil {
        Self.drive(&w)
        if w.kcd.status.verification != nil { break }
      }
      #expect(w.kcd.status.verification?.phase == .afterRollout, "\(w.kcd.status)")
      #expect(switches(w).isEmpty, "nothing switched while the checks run")
      w.verifications = [0: passes ? .passed("204") : .failed("preview answered 500")]
      Self.drive(&w)
      if passes {
        #expect(w.kcd.status.currStatus == .success && switches(w).count == 1)
      } else {
        #expect(w.kcd.status.currStatus == .rolledBack, "\(w.kcd.status)")
        #expect(switches(w).isEmpty && w.services["web"]?.selector["color"] == "blue", "the live Service never switched")
      }
    }
  }

  @Test("strategy.verify runs again through the live Service after the switch: a failure there switches back")
  func checksAfterSwitch() {
    var spec = Self.spec()
    spec["strategy"]?["verify"] = [["kind": "Webhook", "url": "https://qa.example/live"]]
    var w = Self.world(spec)
    w.settings.canVerify = true
    w.verifications = [0: .passed("204 before the switch")]
    w.verificationsPhase = .afterRollout
    Self.drive(&w)
    #expect(w.kcd.status.verification?.phase == .afterSwitch, "\(w.kcd.status)")
    #expect(switches(w).count == 1 && w.services["web"]?.selector["color"] == "green", "switched, the old side still up")
    #expect(replicas(w, Self.blue) == 3, "not scaled down while the live checks run")
    w.verifications = [0: .failed("live answered 500")]
    w.verificationsPhase = .afterSwitch
    Self.drive(&w)
    #expect(w.kcd.status.currStatus == .rolledBack, "\(w.kcd.status)")
    #expect(w.services["web"]?.selector["color"] == "blue", "switched back")
  }

  @Test("kcd rollback with blue-green: the previous digest goes to the idle side, which the Service switches to")
  func explicitRollback() {
    var w = Self.world()
    Self.drive(&w)
    #expect(w.kcd.status.currStatus == .success && w.services["web"]?.selector["color"] == "green")
    w.kcd.request = ExplicitRollbackMachineTests.rollback(W.digestA, version: "0.9.0")
    Self.drive(&w)
    #expect(w.kcd.status.currStatus == .success, "\(w.kcd.status)")
    #expect(w.services["web"]?.selector["color"] == "blue", "switched back to the other side")
    #expect(w.workloads?.first { $0.ref == Self.blue }?.containers.first?.image == "registry.example/shop/web:0.9.0@\(W.digestA)")
    #expect(w.kcd.status.history.first?.trigger == "rollback:rollback-1")
  }

  @Test("the Service patched but the switch not recorded (kcd died in between): the next kcd reads it back and does not patch again")
  func crashBetweenPatchAndRecord() throws {
    var w = Self.world()
    w.pass()
    w.settle("web-green")
    let before = w.trace.count
    w.pass(crashWhen: { if case .patchService = $0 { true } else { false } })
    guard case .patchService(let p)? = w.trace.last else { Issue.record("\(w.trace[before...])"); return }
    #expect(p.name == "web" && w.kcd.status.rollout?.blueGreen?.step == .switching)
    let resumed = w.decide()
    #expect(resumed.actions == [.readService("web")], "a resumed kcd reads first")
    w.pass()
    #expect(switches(w).count == 1 && w.kcd.status.currStatus == .success)
  }

  @Test("a stale copy never changes anything: its only action is a claim write", arguments: [BlueGreenPlan.Step.deploying, .switching, .switched])
  func staleCopy(_ step: BlueGreenPlan.Step) {
    var w = Self.world()
    w.pass(crashWhen: Self.wrote(.deploying))  // the plan only
    w.kcd.status.rollout?.blueGreen?.step = step
    if step != .deploying {
      w.mutate(Self.green) { $0.containers[0].image = W.pinned(W.digestB); $0.progress.replicas = 3; $0.generation += 1 }
      w.settle("web-green")
    }
    if step == .switched { w.services["web"]?.selector["color"] = "green" }
    w.serviceReads = ["web": .found(w.services["web"]!), "web-preview": .found(w.services["web-preview"]!)]
    let d = w.decide(fresh: false)
    #expect(d.actions.count == 1, "\(d)")
    guard case .writeStatus(let s, .critical)? = d.actions.first else { Issue.record("\(d)"); return }
    #expect(s.rollout?.claims == 1)
  }

  @Test("a failure after the switch switches the Service back, scaling the old side up first when it was scaled down")
  func rollbackAfterSwitch() {
    var w = Self.world()
    w.pass()
    w.settle("web-green")
    w.pass(crashWhen: { if case .scale = $0 { true } else { false } })  // switched, blue scaled to 0, kcd gone before the success
    #expect(w.kcd.status.rollout?.blueGreen?.step == .switched && replicas(w, Self.blue) == 0)
    w.mutate(Self.green) { $0.progress.availableReplicas = 1; $0.progress.progressDeadlineExceeded = "pods stopped being ready" }
    w.pass()
    #expect(w.kcd.status.rollout?.rollback?.reason == "ProgressDeadlineExceeded")
    #expect(replicas(w, Self.blue) == 3, "the old side comes back first")
    #expect(w.services["web"]?.selector["color"] == "green", "and the Service waits for it to be available")
    w.settle("web-blue")
    w.pass()
    let s = w.kcd.status
    #expect(s.currStatus == .rolledBack, "\(s.message ?? "")")
    #expect(switches(w).map { $0.selector["color"] } == ["green", "blue"])
    #expect(w.services["web"]?.selector["color"] == "blue")
    #expect(w.image("web-green") == Self.old && replicas(w, Self.green) == 0, "the idle side as it was")
    #expect(s.message?.contains("switched Service web back to web-blue") == true, "\(s.message ?? "")")
    #expect(w.events.contains { $0.reason == "BlueGreenSwitchingBack" })
    #expect(w.unconfirmedChanges == 0)
  }

  @Test("a switch back never points the Service at an old side that cannot run: the new side stays live and kcd says so")
  func oldSideCannotRun() {
    var w = Self.world()
    w.pass()
    w.settle("web-green")
    w.pass(crashWhen: { if case .scale = $0 { true } else { false } })
    w.mutate(Self.green) { $0.progress.availableReplicas = 1; $0.progress.progressDeadlineExceeded = "stopped" }
    w.pass()
    w.mutate(Self.blue) { $0.progress.observedGeneration = $0.generation; $0.progress.progressDeadlineExceeded = "blue is broken too" }
    w.pass()
    #expect(w.kcd.status.currStatus == .failed && w.services["web"]?.selector["color"] == "green")
    #expect(w.kcd.status.message?.contains("cannot run again") == true, "\(w.kcd.status.message ?? "")")
  }

  @Test("the plan survives the status round trip (what a new leader reads)")
  func planJSON() throws {
    var w = Self.world()
    w.pass()
    w.settle("web-green")
    w.pass(crashWhen: Self.wrote(.switched))
    let s = w.kcd.status
    #expect(s.rollout?.blueGreen?.step == .switched && s.rollout?.blueGreen?.switchedAt != nil)
    let back = KCDStatus(json: try JSON.parse(s.json.text))
    #expect(back.rollout?.blueGreen == s.rollout?.blueGreen)
  }
}
