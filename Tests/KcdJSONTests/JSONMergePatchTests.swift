import KcdJSON
import Testing

@Suite struct JSONMergePatchTests {
  @Test("keys the new document lacks are nulled at every depth; arrays and scalars are replaced")
  func removals() throws {
    let old = try JSON.parse(#"{"a": 1, "keep": "x", "rollout": {"id": "1", "rollback": {"reason": "r"}, "workloads": [1, 2]}, "gone": {"b": 1}, "was": null}"#)
    let new = try JSON.parse(#"{"a": 2, "keep": "x", "rollout": {"id": "2", "workloads": [3]}}"#)
    let patch = JSON.mergePatch(from: old, to: new)
    #expect(patch == (try JSON.parse(#"{"a": 2, "keep": "x", "rollout": {"id": "2", "rollback": null, "workloads": [3]}, "gone": null}"#)))
  }

  @Test("a scalar or array replaced by an object, and an object replaced by a scalar, are sent whole")
  func typeChanges() throws {
    let old = try JSON.parse(#"{"a": [1], "b": {"c": 1}}"#)
    let new = try JSON.parse(#"{"a": {"x": 1}, "b": 5}"#)
    #expect(JSON.mergePatch(from: old, to: new) == new)
    #expect(JSON.mergePatch(from: .null, to: new) == new)
  }
}
