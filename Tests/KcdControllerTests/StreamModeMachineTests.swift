@testable import KcdController
import KcdJSON
import KcdKube
import Testing

/// Stream mode in the rollout machine: the version is the tag, the newest version the registry
/// has wins, and nothing older than what kcd deployed or is deploying is ever rolled out.
@Suite struct StreamModeMachineTests {
  typealias W = RolloutWorld

  static let policy: [String: JSON] = ["tag": .null, "versionPolicy": ["kind": "semver", "range": ">=1.4.0 <2.0.0"]]

  static func world(_ request: RequestedRollout, status: KCDStatus = KCDStatus(), canResolve: Bool = true) -> RolloutWorld {
    var w = RolloutWorld(kcd: W.kcd(policy, status: status, request: request), workloads: [W.deployment("web")])
    w.settings = RolloutSettings(trustSignedDigests: true, canResolve: canResolve)
    return w
  }

  static func deployed(_ version: String, digest: String = W.digestA, phase: KCDStatus.Phase = .success) -> KCDStatus {
    var s = KCDStatus()
    s.currVersion = version
    s.currDigest = digest
    s.currStatus = phase
    if phase == .success { s.successVersion = version }
    s.lastEvent = .init(source: "ci", id: "old", receivedAt: W.t0 - 100)
    return s
  }

  @Test("a signed CI callback's version tag deploys as repo:tag@digest with the tag as the version")
  func ciCallback() throws {
    var w = Self.world(W.request(W.digestB, id: "m1", tag: "1.5.0", version: nil), status: Self.deployed("1.4.0"))
    w.pass()
    let s = try #require(w.statusWrites.first)
    #expect(s.currVersion == "1.5.0" && s.currDigest == W.digestB)
    #expect(w.image("web") == "registry.example/shop/web:1.5.0@\(W.digestB)")
  }

  @Test("a registry event asks the registry for the newest version and deploys that one")
  func registryNewest() throws {
    var w = Self.world(W.request(nil, id: "m1", source: "distribution", tag: "1.5.0", version: nil))
    let first = w.decide()
    #expect(first.actions == [.resolve(w.kcd.pendingRequest!, confirm: true)])
    w.resolution = .newest(tag: "1.10.0", digest: W.digestC)
    w.pass()
    #expect(w.statusWrites.first?.currVersion == "1.10.0")
    #expect(w.image("web") == "registry.example/shop/web:1.10.0@\(W.digestC)")
  }

  @Test("an older version is refused with a Warning Event, nothing patched; the request is settled", arguments: [
    (deployed("1.10.0"), "1.10.0"),
    (deployed("1.10.0", phase: .progressing), "1.10.0"),
    ({ var s = deployed("1.11.0", phase: .rolledBack); s.successVersion = "1.10.0"; return s }(), "1.10.0"),
  ])
  func regression(status: KCDStatus, base: String) throws {
    var w = Self.world(W.request(W.digestB, id: "m1", tag: "1.9.0", version: nil), status: status)
    w.pass()
    #expect(w.patched.isEmpty)
    #expect(w.events.map(\.reason) == ["VersionRegression"])
    #expect(w.events.first?.message.contains("1.9.0 is older than \(base)") == true, "\(w.events)")
    #expect(w.kcd.status.lastEvent?.id == "m1", "settled: not looked at again")
    #expect(w.kcd.pendingRequest == nil)
    #expect(w.kcd.status.currVersion == status.currVersion)
  }

  @Test("a version newer than a failed one but older than the last success is still refused; newer than both deploys")
  func afterRollback() {
    var s = Self.deployed("1.11.0", phase: .rolledBack)
    s.successVersion = "1.10.0"
    var w = Self.world(W.request(W.digestB, id: "m1", tag: "1.10.5", version: nil), status: s)
    w.pass()
    #expect(w.image("web") == "registry.example/shop/web:1.10.5@\(W.digestB)", "1.11.0 failed and was rolled back: only 1.10.0 counts")
  }

  @Test("the same version again is not newer: settled quietly")
  func equalVersion() {
    var w = Self.world(W.request(W.digestB, id: "m1", tag: "v1.10.0", version: nil), status: Self.deployed("1.10.0"))
    w.pass()
    #expect(w.patched.isEmpty && w.events.isEmpty)
    #expect(w.kcd.status.message?.contains("not newer") == true)
  }

  @Test("the registry's newest deploys over an older deployed version; an event for an older version is refused before any look-up")
  func newestOlder() {
    var w = Self.world(W.request(nil, id: "m1", source: "distribution", tag: "1.12.0", version: nil), status: Self.deployed("1.11.0"))
    w.resolution = .newest(tag: "1.12.0", digest: W.digestB)
    w.pass()
    #expect(w.image("web") == "registry.example/shop/web:1.12.0@\(W.digestB)")
    var old = Self.world(W.request(nil, id: "m2", source: "distribution", tag: "1.12.0", version: nil), status: Self.deployed("1.13.0"))
    old.pass()
    #expect(old.events.map(\.reason) == ["VersionRegression"] && old.patched.isEmpty)
  }

  @Test("a tag outside the policy is not a version: nothing to do")
  func notAVersion() {
    var w = Self.world(W.request(W.digestB, id: "m1", tag: "2.0.0-rc.1", version: nil), status: Self.deployed("1.10.0"))
    w.pass()
    #expect(w.patched.isEmpty && w.events.isEmpty)
    #expect(w.kcd.status.message?.contains("is not a version by the policy") == true)
  }
}

/// `kcd rollback`'s requests in the machine: the named digest deploys even when it failed
/// before or is older than what runs (stream mode).
@Suite struct ExplicitRollbackMachineTests {
  typealias W = RolloutWorld

  static func rollback(_ digest: String, version: String) -> RequestedRollout {
    var r = RequestedRollout(event: .init(repository: "registry.example/shop/web", tag: nil, digest: digest, version: version,
                                          source: RequestedRollout.rollbackSource, deliveryID: "rollback-1", receivedAt: W.t0), recent: [])
    r.recent = ["rollback-1"]
    return r
  }

  @Test("an explicit rollback deploys an older stream version and a digest that failed before")
  func overridesGuards() {
    var s = StreamModeMachineTests.deployed("1.10.0", digest: W.digestB)
    s.failedDigest = W.digestA
    var w = RolloutWorld(kcd: W.kcd(StreamModeMachineTests.policy, status: s, request: Self.rollback(W.digestA, version: "1.9.0")),
                         workloads: [W.deployment("web")])
    w.pass()
    #expect(w.image("web") == "registry.example/shop/web:1.9.0@\(W.digestA)")
    #expect(w.events.map(\.reason).contains("RolloutStarted") && !w.events.map(\.reason).contains("VersionRegression"))
    #expect(w.kcd.status.history.first?.trigger == "rollback:rollback-1")
  }
}
