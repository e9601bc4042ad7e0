@testable import KcdController
import KcdHooks
import KcdJSON
import KcdRegistry
import Testing

/// Regression tests for defects found in review: hostile regexes, tag moves during a rollout,
/// clamped Retry-After.
@Suite struct ReviewFindingsTests {
  @Test("versionSyntax that could backtrack catastrophically is refused", arguments: [
    ("(a|a)*b", false), ("([0-9]+)*", false), ("(x+)+y", false), ("(?:a|b){2,}", false),
    ("[0-9a-f]{5,40}", true), ("v[0-9]+\\\\.[0-9]+", true), ("(ab)+", true), ("build-(?<v>[0-9]+)", true), ("[(|)*]+", true),
  ])
  func versionSyntax(syntax: String, accepted: Bool) {
    let kcd: JSON = ["metadata": ["name": "w", "namespace": "n"], "spec": ["imageRepo": "registry.example/a", "tag": "main", "selector": ["app": "a"], "versionSyntax": .string(syntax)]]
    let (spec, problems) = KCDSpec.parse(kcd)
    #expect((spec != nil) == accepted, "\(problems)")
    if !accepted { #expect(problems.first?.contains("versionSyntax") == true) }
  }

  static func kcd(currDigest: String, currStatus: String, lastEventID: String, pending: RequestedRollout?) -> JSON {
    var k: JSON = ["metadata": ["name": "web", "namespace": "shop"],
                   "spec": ["imageRepo": "registry.example/shop/web", "tag": "main", "selector": ["app": "web"]],
                   "status": ["currDigest": .string(currDigest), "currStatus": .string(currStatus), "lastEvent": ["id": .string(lastEventID)]]]
    if let p = pending { k["metadata"]["annotations"] = [RequestedRollout.annotation: .string(p.json.text)] }
    return k
  }

  static let a = "sha256:" + String(repeating: "a", count: 64)
  static let b = "sha256:" + String(repeating: "b", count: 64)

  static func event(_ digest: String, id: String) -> ImageEvent {
    ImageEvent(repository: "registry.example/shop/web", tag: "main", digest: digest, source: "ci", deliveryID: id, receivedAt: 1)
  }

  @Test("moving the tag back to the digest in flight supersedes a request waiting behind it")
  func tagMovedBack() {
    let waitingForB = RequestedRollout(event: Self.event(Self.b, id: "2"), recent: ["1"])
    let kcd = Self.kcd(currDigest: Self.a, currStatus: "Progressing", lastEventID: "1", pending: waitingForB)
    #expect(EventIntake.duplicateReason(Self.event(Self.a, id: "3"), kcd: kcd) == nil)
    // With nothing waiting, the same digest again is nothing new.
    let done = RequestedRollout(event: Self.event(Self.a, id: "1"), recent: [])
    let settled = Self.kcd(currDigest: Self.a, currStatus: "Success", lastEventID: "1", pending: done)
    #expect(EventIntake.duplicateReason(Self.event(Self.a, id: "4"), kcd: settled) == "digest is already deployed")
  }

  @Test("Retry-After is clamped to a day, however large or odd")
  func retryAfter() {
    #expect(RetryAfter.seconds("100000000000000000000") == 86400)
    #expect(RetryAfter.seconds("7") == 7)
    #expect(RetryAfter.seconds("nan") == nil)
  }
}
