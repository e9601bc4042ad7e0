@testable import KcdController
import KcdCore
import KcdHooks
import KcdJSON
import KcdRegistry
import Testing

/// Regression tests for defects found in review: hostile regexes, tag moves during a rollout,
/// clamped Retry-After.
@Suite struct ReviewFindingsTests {
  @Test("versionSyntax patterns that backtrack catastrophically elsewhere are accepted and run in linear time", arguments: [
    "(a|a)*b", "([0-9]+)*", "(x+)+y", "(?:a|b){2,}", String(repeating: "a*", count: 100) + "b", String(repeating: "[0-9a-f]*", count: 6) + "x",
    "[0-9a-f]{5,40}", "v[0-9]+\\.[0-9]+", "(ab)+", "build-(?<v>[0-9]+)", "[(|)*]+",
  ])
  func versionSyntax(syntax: String) throws {
    let spec = try #require(KCDSpec.parse(["imageRepo": "registry.example/a", "tag": "main", "selector": ["app": "a"], "versionSyntax": .string(syntax)]).spec)
    // The longest tag there is, against every pattern: a wedge here would wedge a worker.
    let start = monotonicSeconds()
    for tag in [String(repeating: "a", count: 128), String(repeating: "0", count: 128), String(repeating: "x", count: 500)] { _ = spec.isVersion(tag) }
    #expect(monotonicSeconds() - start < 2, "\(syntax)")
  }

  @Test("versionSyntax the matcher cannot run in linear time, or that is not a pattern, is refused with a short message", arguments: [
    "([0-9", "(a)\\1", "(?=a)b", "a{2000}", String(repeating: "x", count: 40_000), "(a{1000}){1000}",
  ])
  func versionSyntaxRefused(syntax: String) {
    let (spec, problems) = KCDSpec.parse(["imageRepo": "registry.example/a", "tag": "main", "selector": ["app": "a"], "versionSyntax": .string(syntax)])
    #expect(spec == nil)
    #expect(problems.map(\.field) == ["spec.versionSyntax"])
    #expect((problems.first?.message.count ?? 0) < 300, "a hostile pattern never bloats the status")
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
    #expect(EventIntake.duplicateReason(Self.event(Self.a, id: "3"), kcd: KCD(json: kcd)) == nil)
    // With nothing waiting, the same digest again is nothing new.
    let done = RequestedRollout(event: Self.event(Self.a, id: "1"), recent: [])
    let settled = Self.kcd(currDigest: Self.a, currStatus: "Success", lastEventID: "1", pending: done)
    #expect(EventIntake.duplicateReason(Self.event(Self.a, id: "4"), kcd: KCD(json: settled)) == "digest is already deployed")
  }

  @Test("Retry-After is clamped to a day, however large or odd")
  func retryAfter() {
    #expect(RetryAfter.seconds("100000000000000000000") == 86400)
    #expect(RetryAfter.seconds("7") == 7)
    #expect(RetryAfter.seconds("nan") == nil)
  }
}
