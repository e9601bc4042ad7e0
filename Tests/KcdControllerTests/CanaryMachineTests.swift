@testable import KcdController
import KcdJSON
import KcdKube
import Testing

/// Canary rollouts and checks after a rollout, in the machine: canaries first, their checks,
/// then the rest; a failing canary is rolled back and the rest never touched; `strategy.verify`
/// runs once everything runs the new version, and its failure rolls everything back.
@Suite struct CanaryMachineTests {
  typealias W = RolloutWorld

  static func world(spec: [String: JSON]) -> RolloutWorld {
    var w = RolloutWorld(kcd: W.kcd(spec, request: W.request(W.digestB, id: "m1")),
                         workloads: [W.deployment("web-canary", labels: ["app": "web", "track": "canary"]), W.deployment("web"), W.deployment("worker")])
    w.settings.canVerify = true
    return w
  }

  static let canary: [String: JSON] = ["strategy": ["kind": "Canary", "canary": ["selector": ["track": "canary"],
                                                                                  "verify": [["kind": "Webhook", "url": "https://qa.example/canary"]]]]]

  @Test("canaries first; their checks; then the others; success")
  func passes() {
    var w = Self.world(spec: Self.canary)
    w.pass()
    #expect(w.patched == [W.ref("web-canary")], "only the canary")
    #expect(w.kcd.status.rollout?.workloads.filter(\.canary).map(\.name) == ["web-canary"])
    w.settle("web-canary")
    w.pass()
    #expect(w.kcd.status.verification?.phase == .canary && w.kcd.status.currStatus == .progressing)
    #expect(w.patched == [W.ref("web-canary")], "the others wait for the canary's checks")
    w.verifications = [0: .passed("204")]
    w.pass()
    #expect(w.kcd.status.rollout?.canaryPassed == true && w.events.contains { $0.reason == "CanaryPassed" })
    #expect(Set(w.patched) == [W.ref("web-canary"), W.ref("web"), W.ref("worker")])
    w.settle("web")
    w.settle("worker")
    w.now += 5
    w.pass()
    #expect(w.kcd.status.currStatus == .success && w.kcd.status.verification == nil)
  }

  @Test("a failing canary check rolls the canary back and leaves the rest untouched")
  func canaryFails() {
    var w = Self.world(spec: Self.canary)
    w.pass()
    w.settle("web-canary")
    w.pass()
    w.verifications = [0: .failed("qa.example answered 500: error rate 12%")]
    w.pass()
    w.settle("web-canary")
    w.pass()
    #expect(w.kcd.status.currStatus == .rolledBack, "\(w.kcd.status)")
    #expect(w.image("web-canary") == "registry.example/shop/web:1.0", "the canary is back on its previous image")
    #expect(w.image("web") == "registry.example/shop/web:1.0" && !w.patched.contains(W.ref("web")) && !w.patched.contains(W.ref("worker")))
    #expect(w.kcd.status.message?.contains("error rate 12%") == true)
  }

  @Test("a canary that never becomes available fails by the deadline; the others are never patched")
  func canaryStuck() {
    var w = Self.world(spec: Self.canary)
    w.pass()
    w.now += 301
    w.pass()
    #expect(!w.patched.contains(W.ref("web")) && !w.patched.contains(W.ref("worker")))
    w.settle("web-canary")
    w.pass()
    #expect(w.kcd.status.currStatus == .rolledBack && w.kcd.status.rollout?.rollback?.reason == "Timeout", "\(w.kcd.status)")
  }

  @Test("no workload matches the canary selector: refused, nothing patched")
  func noCanary() {
    var w = RolloutWorld(kcd: W.kcd(Self.canary, request: W.request(W.digestB, id: "m1")), workloads: [W.deployment("web")])
    w.pass()
    #expect(w.patched.isEmpty && w.events.last?.message.contains("strategy.canary.selector") == true)
  }

  @Test("strategy.verify runs once every workload runs the new version; a failure rolls them all back")
  func afterRollout() {
    var w = RolloutWorld(kcd: W.kcd(["strategy": ["verify": [["kind": "Webhook", "url": "https://qa.example/smoke"]]]],
                                    request: W.request(W.digestB, id: "m1")), workloads: [W.deployment("web"), W.deployment("worker")])
    w.settings.canVerify = true
    w.pass()
    w.settle("web")
    w.settle("worker")
    w.pass()
    #expect(w.kcd.status.verification?.phase == .afterRollout && w.kcd.status.currStatus == .progressing)
    w.verifications = [0: .failed("smoke test failed")]
    w.pass()
    w.settle("web")
    w.settle("worker")
    w.pass()
    #expect(w.kcd.status.currStatus == .rolledBack && w.image("web") == "registry.example/shop/web:1.0" && w.image("worker") == "registry.example/shop/web:1.0")
    var ok = RolloutWorld(kcd: W.kcd(["strategy": ["verify": [["kind": "Webhook", "url": "https://qa.example/smoke"]]]],
                                     request: W.request(W.digestB, id: "m1")), workloads: [W.deployment("web")])
    ok.settings.canVerify = true
    ok.pass()
    ok.settle("web")
    ok.pass()
    ok.verifications = [0: .passed("200")]
    ok.pass()
    #expect(ok.kcd.status.currStatus == .success)
  }

  @Test("kcd rollback with Canary: the previous digest goes to the canaries first, then the rest")
  func explicitRollback() {
    var w = Self.world(spec: Self.canary)
    w.kcd.request = ExplicitRollbackMachineTests.rollback(W.digestA, version: "0.9.0")
    w.pass()
    #expect(w.patched == [W.ref("web-canary")])
    w.settle("web-canary")
    w.pass()
    w.verifications = [0: .passed("204")]
    w.pass()
    w.settle("web")
    w.settle("worker")
    w.now += 5
    w.pass()
    #expect(w.kcd.status.currStatus == .success && w.image("web") == "registry.example/shop/web:0.9.0@\(W.digestA)")
  }
}
