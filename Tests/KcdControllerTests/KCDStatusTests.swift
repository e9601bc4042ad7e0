@testable import KcdController
import KcdCore
import KcdJSON
import Testing

/// `KCDStatus`: conditions in metav1.Condition shape whose lastTransitionTime moves only with
/// the status, the short history (newest first, one entry per rollout, at most 10), and the
/// JSON form kcd writes and reads back.
@Suite struct KCDStatusTests {
  static let old = Timestamps.parse("2020-01-01T00:00:00Z")!
  static let now = Timestamps.parse("2026-12-06T10:00:00Z")!

  static func conditions(ready: Condition.Status) -> [Condition] {
    [Condition(type: "Ready", status: ready, reason: "Before", message: "before", observedGeneration: 1, lastTransitionTime: old),
     Condition(type: "Progressing", status: .false, reason: "Idle", message: "", observedGeneration: 1, lastTransitionTime: old)]
  }

  @Test("the same status keeps lastTransitionTime while reason and message follow the new values")
  func unchanged() throws {
    var list = Self.conditions(ready: .true)
    list.set("Ready", .true, reason: "RolloutSucceeded", message: "the last rollout succeeded", generation: 4, now: Self.now)
    #expect(list[type: "Ready"] == Condition(type: "Ready", status: .true, reason: "RolloutSucceeded", message: "the last rollout succeeded",
                                             observedGeneration: 4, lastTransitionTime: Self.old))
  }

  @Test("a new status moves lastTransitionTime to now", arguments: [Condition.Status.false, .unknown])
  func changed(_ status: Condition.Status) throws {
    var list = Self.conditions(ready: .true)
    list.set("Ready", status, reason: "RolloutInProgress", message: "rolling out", generation: 4, now: Self.now)
    #expect(list[type: "Ready"]?.status == status)
    #expect(list[type: "Ready"]?.lastTransitionTime == Self.now)
  }

  @Test("set replaces conditions by type and keeps the others in place; a new type starts now")
  func set() {
    var list = Self.conditions(ready: .true)
    list.set("Ready", .false, reason: "X", message: "x", generation: 2, now: Self.now)
    list.set("Verified", .true, reason: "Y", message: "y", generation: 2, now: Self.now)
    #expect(list.map(\.type) == ["Ready", "Progressing", "Verified"])
    #expect(list[1].reason == "Idle")
    #expect(list[type: "Verified"]?.lastTransitionTime == Self.now)
  }

  @Test("conditions are written in RFC 3339 whole seconds, with a reason even when empty")
  func conditionJSON() throws {
    var s = KCDStatus()
    s.conditions = [Condition(type: "Ready", status: .unknown, reason: "", message: "m", observedGeneration: 3, lastTransitionTime: Self.now + 0.7)]
    let c = s.json["conditions"][0]
    #expect(c == ["type": "Ready", "status": "Unknown", "reason": "Unknown", "message": "m", "observedGeneration": 3,
                  "lastTransitionTime": "2026-12-06T10:00:00Z"])
  }

  static func entry(_ trigger: String, _ digest: String, _ result: RolloutResult) -> RolloutRecord {
    RolloutRecord(version: "v", digest: digest, result: result, startedAt: old, trigger: trigger)
  }

  @Test("history is newest first; the same trigger and digest update their entry in place")
  func history() {
    var status = KCDStatus()
    status.record(Self.entry("ci:1", "sha256:a", .success))
    status.record(Self.entry("ci:2", "sha256:b", .failed))
    status.record(Self.entry("ci:3", "sha256:c", .progressing))
    #expect(status.history.map(\.trigger) == ["ci:3", "ci:2", "ci:1"])
    status.record(Self.entry("ci:2", "sha256:b", .rolledBack))
    #expect(status.history.map(\.trigger) == ["ci:3", "ci:2", "ci:1"], "updated, not moved or added")
    #expect(status.history[1].result == .rolledBack)
    status.record(Self.entry("ci:3", "sha256:d", .progressing))
    #expect(status.history.map(\.trigger) == ["ci:3", "ci:3", "ci:2", "ci:1"], "same trigger, another digest is another rollout")
    #expect(status.history[0].digest == "sha256:d")
  }

  @Test("history keeps the newest 10")
  func historyCap() {
    var status = KCDStatus()
    for i in 0..<13 { status.record(Self.entry("ci:\(i)", "sha256:\(i)", .success)) }
    #expect(KCDStatus.historyLimit == 10)
    #expect(status.history.map(\.trigger) == (3..<13).reversed().map { "ci:\($0)" })
    status.record(Self.entry("ci:3", "sha256:3", .failed))
    #expect(status.history.count == 10)
    #expect(status.history[9].result == .failed, "the oldest kept entry can still be updated")
  }

  @Test("a status with a rollout in flight and a rollback intent round-trips through JSON")
  func roundTrip() throws {
    var s = KCDStatus()
    s.currVersion = "3ae8d1b"
    s.currDigest = "sha256:" + String(repeating: "a", count: 64)
    s.currStatus = .progressing
    s.currStatusTime = Self.now
    s.successVersion = "1111111"
    s.successDigest = "sha256:" + String(repeating: "1", count: 64)
    s.failedDigest = "sha256:" + String(repeating: "f", count: 64)
    s.observedGeneration = 7
    s.message = "rolling out"
    s.lastEvent = KCDStatus.LastEvent(source: "ci", id: "msg_1", receivedAt: Self.now + 0.25)
    s.conditions.set("Ready", .false, reason: "RolloutInProgress", message: "rolling out", generation: 7, now: Self.now)
    s.record(RolloutRecord(version: "3ae8d1b", digest: s.currDigest!, result: .progressing, startedAt: Self.now, trigger: "ci:msg_1"))
    var rollout = ActiveRollout(id: "msg_1", trigger: "ci:msg_1", image: "r/web:3ae8d1b@" + s.currDigest!, digest: s.currDigest!, version: "3ae8d1b",
                                startedAt: Self.now + 0.5, receivedAt: Self.now + 0.25,
                                workloads: [RolloutTarget(kind: .statefulSet, name: "db", containers: ["db", "init"], previous: ["db": "r/db:1", "init": "r/i:1"],
                                                          generation: 4),
                                            RolloutTarget(kind: .deployment, name: "web", containers: ["web"], previous: ["web": "r/web:1"])])
    rollout.rollback = RollbackIntent(reason: "CrashLoopBackOff", message: "pod web-1 crashes", startedAt: Self.now + 9)
    rollout.claims = 2
    rollout.policy = RolloutPolicy(timeoutSeconds: 120, rollbackEnabled: false)
    s.rollout = rollout
    let read = KCDStatus(json: try JSON.parse(s.json.text))
    #expect(read == s)
    #expect(s.json["rollout"]["startedAt"] == "2026-12-06T10:00:00.500000Z", "times kcd computes with are MicroTime")
  }

  @Test("unknown or malformed fields read as absent, not as errors")
  func lenient() {
    let s = KCDStatus(json: ["currStatus": "Dancing", "conditions": [["type": 1], ["type": "Ready", "status": "Maybe"]], "rollout": ["image": 3],
                             "history": [["result": "Success"]], "lastEvent": ["id": "x"]])
    #expect(s == KCDStatus())
  }
}
