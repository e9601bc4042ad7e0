@testable import KcdController
import KcdJSON
import KcdKube
import Testing

/// The history and version ConfigMaps (`spec.history`, `spec.config`) as copies of the status:
/// written after a rollout ends, marked in the status once written, rewritten if a crash came
/// between, bounded, and a refusal reported once without holding rollouts.
@Suite struct ProjectionsMachineTests {
  typealias W = RolloutWorld

  static let spec: [String: JSON] = ["history": ["enabled": true, "limit": 2], "config": ["name": "web-version", "key": "version"]]

  /// Rolls `digest` out to success.
  static func rollOut(_ w: inout RolloutWorld, _ digest: String, id: String, version: String) {
    w.kcd.request = W.request(digest, id: id, version: version)
    w.pass()
    w.settle("web")
    w.now += 10
    w.pass()
  }

  @Test("after each success the history ConfigMap gets the rollout (newest first, bounded) and the config ConfigMap the version")
  func copies() throws {
    var w = RolloutWorld(kcd: W.kcd(Self.spec), workloads: [W.deployment("web")])
    Self.rollOut(&w, W.digestA, id: "m1", version: "1.0.0")
    #expect(w.kcd.status.currStatus == .success)
    #expect(w.configMaps["web-version"] == ["version": "1.0.0"])
    let first = try JSON.parse(Array((w.configMaps["web.history"]?["history"] ?? "").utf8))
    #expect(first.arrayValue?.count == 1 && first[0]["version"] == "1.0.0" && first[0]["result"] == "Success")
    #expect(w.kcd.status.historySynced?.hasSuffix("@Success") == true && w.kcd.status.configSynced == "web-version/version=1.0.0")
    Self.rollOut(&w, W.digestB, id: "m2", version: "1.1.0")
    Self.rollOut(&w, W.digestC, id: "m3", version: "1.2.0")
    let history = try JSON.parse(Array((w.configMaps["web.history"]?["history"] ?? "").utf8))
    #expect(history.arrayValue?.compactMap { $0["version"].stringValue } == ["1.2.0", "1.1.0"], "limit 2, newest first")
    #expect(w.configMaps["web-version"] == ["version": "1.2.0"])
    // Nothing more to copy: an idle look writes nothing.
    #expect(w.decide().actions.isEmpty)
  }

  @Test("a crash after the ConfigMap write but before the status mark rewrites the same entry, once")
  func crashBetween() throws {
    var w = RolloutWorld(kcd: W.kcd(Self.spec), workloads: [W.deployment("web")])
    Self.rollOut(&w, W.digestA, id: "m1", version: "1.0.0")
    // The mark was lost (the status write never happened).
    w.kcd.status.historySynced = nil
    w.pass()
    let history = try JSON.parse(Array((w.configMaps["web.history"]?["history"] ?? "").utf8))
    #expect(history.arrayValue?.count == 1, "merged by trigger and digest, not duplicated")
    #expect(w.kcd.status.historySynced != nil)
  }

  @Test("a ConfigMap the API refuses is reported once (Warning Event), retried later, and does not hold the next rollout")
  func refused() {
    var w = RolloutWorld(kcd: W.kcd(Self.spec), workloads: [W.deployment("web")])
    w.refuseConfigMaps = true
    Self.rollOut(&w, W.digestA, id: "m1", version: "1.0.0")
    #expect(w.events.filter { $0.reason == "ConfigMapNotWritten" }.count == 1)
    #expect(w.pass() == .requeue(after: 60))
    #expect(w.events.filter { $0.reason == "ConfigMapNotWritten" }.count == 1, "said once")
    Self.rollOut(&w, W.digestB, id: "m2", version: "1.1.0")
    #expect(w.image("web") == W.pinned(W.digestB, version: "1.1.0"))
    w.refuseConfigMaps = false
    w.pass()
    #expect(w.configMaps["web-version"] == ["version": "1.1.0"])
  }

  @Test("history limit and config names are checked", arguments: [
    (["history": ["enabled": true, "limit": 0]], "spec.history.limit must be from 1 to 1000"),
    (["config": ["name": "Web_Version"]], "is not a ConfigMap name"),
    (["config": ["name": "web-version", "key": "a/b"]], "is not a ConfigMap key"),
  ] as [([String: JSON], String)])
  func invalid(_ spec: [String: JSON], _ says: String) {
    let kcd = W.kcd(spec)
    #expect(kcd.problems.contains { $0.kind == .invalid && $0.message.contains(says) }, "\(kcd.problems)")
  }
}
