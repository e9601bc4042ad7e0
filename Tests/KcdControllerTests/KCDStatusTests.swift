@testable import KcdController
import KcdCore
import KcdJSON
import Testing

/// `KCDStatus`: conditions in metav1.Condition shape whose lastTransitionTime moves only with
/// the status, and the short history (newest first, one entry per rollout, at most 10).
@Suite struct KCDStatusTests {
  static let old = "2020-01-01T00:00:00Z"

  static func status(ready: String) -> JSON {
    ["conditions": [["type": "Ready", "status": .string(ready), "reason": "Before", "message": "before", "observedGeneration": 1,
                     "lastTransitionTime": .string(old)],
                    ["type": "Progressing", "status": "False", "reason": "Idle", "message": "", "lastTransitionTime": .string(old)]]]
  }

  /// Seconds between a condition's lastTransitionTime and now.
  static func age(_ condition: JSON) throws -> Double {
    let t = try #require(condition["lastTransitionTime"].stringValue.flatMap(Timestamps.parse))
    return Timestamps.now() - t
  }

  @Test("the same status keeps lastTransitionTime while reason and message follow the new values")
  func unchanged() {
    let c = KCDStatus.condition("Ready", "True", reason: "RolloutSucceeded", message: "the last rollout succeeded", generation: 4,
                                previous: Self.status(ready: "True"))
    #expect(c == ["type": "Ready", "status": "True", "reason": "RolloutSucceeded", "message": "the last rollout succeeded",
                  "observedGeneration": 4, "lastTransitionTime": .string(Self.old)])
  }

  @Test("a new status moves lastTransitionTime to now", arguments: ["False", "Unknown"])
  func changed(_ status: String) throws {
    let c = KCDStatus.condition("Ready", status, reason: "RolloutInProgress", message: "rolling out", generation: 4, previous: Self.status(ready: "True"))
    #expect(c["status"].stringValue == status)
    #expect(c["lastTransitionTime"].stringValue != Self.old)
    let age = try Self.age(c)
    #expect(age >= 0 && age < 5, "\(age)")
  }

  @Test("a condition without a predecessor starts now, in RFC 3339 whole seconds")
  func first() throws {
    let c = KCDStatus.condition("Verified", "True", reason: "Passed", message: "", generation: 1, previous: .null)
    let text = try #require(c["lastTransitionTime"].stringValue)
    #expect(text.utf8.count == 20 && text.hasSuffix("Z"), "\(text)")
    let age = try Self.age(c)
    #expect(age >= 0 && age < 5)
  }

  @Test("set replaces conditions by type and keeps the others in place")
  func set() {
    var status = Self.status(ready: "True")
    let ready = KCDStatus.condition("Ready", "False", reason: "X", message: "x", generation: 2, previous: status)
    let verified = KCDStatus.condition("Verified", "True", reason: "Y", message: "y", generation: 2, previous: status)
    KCDStatus.set([ready, verified], in: &status)
    let types = (status["conditions"].arrayValue ?? []).compactMap { $0["type"].stringValue }
    #expect(types == ["Ready", "Progressing", "Verified"])
    #expect(status["conditions"][0] == ready)
    #expect(status["conditions"][1]["reason"] == "Idle")
    var empty: JSON = [:]
    KCDStatus.set([ready], in: &empty)
    #expect(empty["conditions"] == [ready])
  }

  static func entry(_ trigger: String, _ digest: String, _ result: String) -> JSON {
    ["trigger": .string(trigger), "digest": .string(digest), "version": "v", "result": .string(result), "startedAt": "2024-01-01T00:00:00Z"]
  }

  static func triggers(_ status: JSON) -> [String] { (status["history"].arrayValue ?? []).compactMap { $0["trigger"].stringValue } }

  @Test("history is newest first; the same trigger and digest update their entry in place")
  func history() {
    var status: JSON = [:]
    KCDStatus.record(history: Self.entry("ci:1", "sha256:a", "Success"), in: &status)
    KCDStatus.record(history: Self.entry("ci:2", "sha256:b", "Failed"), in: &status)
    KCDStatus.record(history: Self.entry("ci:3", "sha256:c", "Progressing"), in: &status)
    #expect(Self.triggers(status) == ["ci:3", "ci:2", "ci:1"])
    KCDStatus.record(history: Self.entry("ci:2", "sha256:b", "RolledBack"), in: &status)
    #expect(Self.triggers(status) == ["ci:3", "ci:2", "ci:1"], "updated, not moved or added")
    #expect(status["history"][1]["result"] == "RolledBack")
    KCDStatus.record(history: Self.entry("ci:3", "sha256:d", "Progressing"), in: &status)
    #expect(Self.triggers(status) == ["ci:3", "ci:3", "ci:2", "ci:1"], "same trigger, another digest is another rollout")
    #expect(status["history"][0]["digest"] == "sha256:d")
    #expect(status["history"][1]["digest"] == "sha256:c")
  }

  @Test("history keeps the newest 10")
  func historyCap() {
    var status: JSON = [:]
    for i in 0..<13 { KCDStatus.record(history: Self.entry("ci:\(i)", "sha256:\(i)", "Success"), in: &status) }
    #expect(KCDStatus.historyLimit == 10)
    #expect(Self.triggers(status) == (3..<13).reversed().map { "ci:\($0)" })
    KCDStatus.record(history: Self.entry("ci:3", "sha256:3", "Failed"), in: &status)
    #expect(Self.triggers(status).count == 10)
    #expect(status["history"][9]["result"] == "Failed", "the oldest kept entry can still be updated")
  }
}
