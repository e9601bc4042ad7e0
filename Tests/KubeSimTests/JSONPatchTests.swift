import KcdJSON
import Testing

@testable import KubeSim

/// RFC 6902 appendix A vectors plus the apiserver's 400/422/413 split.
@Suite struct JSONPatchTests {
  private func patched(_ document: String, _ patch: String) throws -> JSON {
    try JSONPatch.apply(JSON.parse(patch), to: JSON.parse(document))
  }

  private func failure(_ document: String, _ patch: String) -> PatchError? {
    do {
      _ = try patched(document, patch)
      return nil
    } catch let error as PatchError {
      return error
    } catch {
      return nil
    }
  }

  // MARK: RFC 6902 appendix A

  @Test func a1AddingAnObjectMember() throws {
    let result = try patched(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#)
    #expect(result == (try JSON.parse(#"{"baz":"qux","foo":"bar"}"#)))
  }

  @Test func a2AddingAnArrayElement() throws {
    let result = try patched(#"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#)
    #expect(result == (try JSON.parse(#"{"foo":["bar","qux","baz"]}"#)))
  }

  @Test func a3RemovingAnObjectMember() throws {
    let result = try patched(#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#)
    #expect(result == (try JSON.parse(#"{"foo":"bar"}"#)))
  }

  @Test func a4RemovingAnArrayElement() throws {
    let result = try patched(#"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#)
    #expect(result == (try JSON.parse(#"{"foo":["bar","baz"]}"#)))
  }

  @Test func a5ReplacingAValue() throws {
    let result = try patched(#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#)
    #expect(result == (try JSON.parse(#"{"baz":"boo","foo":"bar"}"#)))
  }

  @Test func a6MovingAValue() throws {
    let result = try patched(
      #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
      #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#)
    #expect(result == (try JSON.parse(#"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#)))
  }

  @Test func a7MovingAnArrayElement() throws {
    let result = try patched(#"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#)
    #expect(result == (try JSON.parse(#"{"foo":["all","cows","eat","grass"]}"#)))
  }

  @Test func a8TestingAValueSuccess() throws {
    let document = #"{"baz":"qux","foo":["a",2,"c"]}"#
    let result = try patched(
      document, #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#)
    #expect(result == (try JSON.parse(document)))
  }

  @Test func a9TestingAValueError() {
    let error = failure(#"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#)
    #expect(error == PatchError(kind: .unprocessable, message: "testing value /baz failed: test failed"))
  }

  @Test func a10AddingANestedMemberObject() throws {
    let result = try patched(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#)
    #expect(result == (try JSON.parse(#"{"foo":"bar","child":{"grandchild":{}}}"#)))
  }

  @Test func a11IgnoringUnrecognizedElements() throws {
    let result = try patched(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#)
    #expect(result == (try JSON.parse(#"{"foo":"bar","baz":"qux"}"#)))
  }

  @Test func a12AddingToANonexistentTarget() {
    let error = failure(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#)
    #expect(
      error == PatchError(kind: .unprocessable, message: #"add operation does not apply: doc is missing path: "/baz/bat": missing value"#))
  }

  @Test func a14EscapeOrdering() throws {
    let document = #"{"/":9,"~1":10}"#
    let result = try patched(document, #"[{"op":"test","path":"/~01","value":10}]"#)
    #expect(result == (try JSON.parse(document)))
  }

  @Test func a15ComparingStringsAndNumbers() {
    let error = failure(#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#)
    #expect(error == PatchError(kind: .unprocessable, message: "testing value /~01 failed: test failed"))
  }

  @Test func a16AddingAnArrayValue() throws {
    let result = try patched(#"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#)
    #expect(result == (try JSON.parse(#"{"foo":["bar",["abc","def"]]}"#)))
  }

  // MARK: Kubernetes-style usage and edge cases

  @Test func failedTestUsesTheApiserverWording() {
    let error = failure(#"{"spec":{"replicas":2}}"#, #"[{"op":"test","path":"/spec/replicas","value":3}]"#)
    #expect(error == PatchError(kind: .unprocessable, message: "testing value /spec/replicas failed: test failed"))
  }

  @Test func removingAMissingPathIsUnprocessable() {
    let error = failure(#"{"spec":{}}"#, #"[{"op":"remove","path":"/spec/foo"}]"#)
    #expect(
      error == PatchError(kind: .unprocessable, message: #"remove operation does not apply: doc is missing path: "/spec/foo": missing value"#))
  }

  @Test func replaceNeedsAnExistingMember() throws {
    #expect(failure(#"{"spec":{}}"#, #"[{"op":"replace","path":"/spec/replicas","value":3}]"#)?.kind == .unprocessable)
    let result = try patched(#"{"spec":{"replicas":1}}"#, #"[{"op":"replace","path":"/spec/replicas","value":3}]"#)
    #expect(result == (try JSON.parse(#"{"spec":{"replicas":3}}"#)))
  }

  @Test func numbersTestEqualByValue() throws {
    let result = try patched(#"{"a":1}"#, #"[{"op":"test","path":"/a","value":1.0}]"#)
    #expect(result == ["a": 1])
  }

  @Test func nullIsAValidValue() throws {
    let result = try patched(#"{"a":1}"#, #"[{"op":"add","path":"/b","value":null}]"#)
    #expect(result == (try JSON.parse(#"{"a":1,"b":null}"#)))
  }

  @Test func emptyPathAddsOrReplacesTheWholeDocument() throws {
    #expect(try patched(#"{"a":1}"#, #"[{"op":"add","path":"","value":[1]}]"#) == [1])
    #expect(try patched(#"{"a":1}"#, #"[{"op":"replace","path":"","value":{"b":2}}]"#) == ["b": 2])
  }

  @Test func copyDuplicatesAValue() throws {
    let result = try patched(#"{"a":{"x":[1]},"b":{}}"#, #"[{"op":"copy","from":"/a/x","path":"/b/y"}]"#)
    #expect(result == (try JSON.parse(#"{"a":{"x":[1]},"b":{"y":[1]}}"#)))
  }

  @Test func moveIntoItsOwnChildIsRefused() {
    let error = failure(#"{"a":{"b":{}}}"#, #"[{"op":"move","from":"/a","path":"/a/b/c"}]"#)
    #expect(error?.kind == .unprocessable)
  }

  @Test func moveFromAMissingPathNamesTheFromPath() {
    let error = failure(#"{"a":1}"#, #"[{"op":"move","from":"/nope","path":"/b"}]"#)
    #expect(
      error == PatchError(kind: .unprocessable, message: #"move operation does not apply: doc is missing from path: "/nope": missing value"#))
  }

  @Test func arrayIndexRules() throws {
    // add may address one past the end; nothing else may.
    #expect(try patched(#"{"a":[1,2]}"#, #"[{"op":"add","path":"/a/2","value":3}]"#) == ["a": [1, 2, 3]])
    #expect(failure(#"{"a":[1,2]}"#, #"[{"op":"add","path":"/a/3","value":3}]"#)?.kind == .unprocessable)
    #expect(failure(#"{"a":[1,2]}"#, #"[{"op":"replace","path":"/a/2","value":3}]"#)?.kind == .unprocessable)
    #expect(failure(#"{"a":[1,2]}"#, #"[{"op":"remove","path":"/a/-"}]"#)?.kind == .unprocessable)
    // Leading zeros, signs and non-digits are not indices.
    #expect(failure(#"{"a":[1,2]}"#, #"[{"op":"replace","path":"/a/01","value":3}]"#)?.kind == .unprocessable)
    #expect(failure(#"{"a":[1,2]}"#, #"[{"op":"remove","path":"/a/-1"}]"#)?.kind == .unprocessable)
    #expect(failure(#"{"a":[1,2]}"#, #"[{"op":"remove","path":"/a/x"}]"#)?.kind == .unprocessable)
    #expect(failure(#"{"a":[1,2]}"#, #"[{"op":"remove","path":"/a/99999999999999999999"}]"#)?.kind == .unprocessable)
    #expect(try patched(#"{"a":[1,2]}"#, #"[{"op":"remove","path":"/a/0"}]"#) == ["a": [2]])
  }

  @Test func failureLeavesNoPartialResult() {
    // The first operation would apply; the second does not, so the whole patch fails.
    let error = failure(
      #"{"a":1}"#, #"[{"op":"replace","path":"/a","value":2},{"op":"test","path":"/a","value":1}]"#)
    #expect(error == PatchError(kind: .unprocessable, message: "testing value /a failed: test failed"))
  }

  @Test func malformedPatchesAreBadRequests() {
    let document = #"{"a":1}"#
    #expect(failure(document, #"{"op":"add","path":"/b","value":1}"#)?.kind == .malformed)
    #expect(failure(document, #"[1]"#)?.kind == .malformed)
    #expect(failure(document, #"[{"path":"/b","value":1}]"#)?.kind == .malformed)
    #expect(failure(document, #"[{"op":"frobnicate","path":"/b"}]"#)?.kind == .malformed)
    #expect(failure(document, #"[{"op":"add","value":1}]"#)?.kind == .malformed)
    #expect(failure(document, #"[{"op":"add","path":"/b"}]"#)?.kind == .malformed)
    #expect(failure(document, #"[{"op":"test","path":"/a"}]"#)?.kind == .malformed)
    #expect(failure(document, #"[{"op":"move","path":"/b"}]"#)?.kind == .malformed)
    #expect(failure(document, #"[{"op":"add","path":"b","value":1}]"#)?.kind == .malformed)
    #expect(failure(document, #"[{"op":"add","path":"/a~2","value":1}]"#)?.kind == .malformed)
    #expect(failure(document, #"[{"op":"add","path":"/a~","value":1}]"#)?.kind == .malformed)
  }

  @Test func malformedOperationWinsOverAnEarlierFailure() {
    // Decoding comes first, so a bad third op is a 400 even though the first op fails to apply.
    let error = failure(
      #"{"a":1}"#, #"[{"op":"remove","path":"/missing"},{"op":"add","path":"/b","value":1},{"op":"nope","path":"/c"}]"#)
    #expect(error?.kind == .malformed)
  }

  @Test func tooManyOperationsIsTooLarge() throws {
    let operation: JSON = ["op": "test", "path": "/a", "value": 1]
    let tooMany = JSON.array(Array(repeating: operation, count: JSONPatch.maximumOperations + 1))
    #expect(throws: PatchError(kind: .tooLarge, message: "The allowed maximum operations in a JSON patch is 10000, got 10001")) {
      try JSONPatch.apply(tooMany, to: ["a": 1])
    }
    let atLimit = JSON.array(Array(repeating: operation, count: JSONPatch.maximumOperations))
    #expect(try JSONPatch.apply(atLimit, to: ["a": 1]) == ["a": 1])
  }

  @Test func escapedTokensAddressKeysWithSlashesAndTildes() throws {
    let result = try patched(
      #"{"metadata":{"annotations":{}}}"#,
      #"[{"op":"add","path":"/metadata/annotations/example.com~1a~0b","value":"v"}]"#)
    #expect(result == (try JSON.parse(#"{"metadata":{"annotations":{"example.com/a~b":"v"}}}"#)))
  }

  @Test func deepPointersResolve() throws {
    let depth = JSON.maximumDepth - 1
    let document = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
    let path = String(repeating: "/a", count: depth)
    let result = try patched(document, #"[{"op":"replace","path":""# + path + #"","value":2}]"#)
    #expect(result[path: Array(repeating: "a", count: depth)] == 2)
  }

  @Test func manyEditsToALargeArray() throws {
    let document: JSON = ["spec": ["items": .array((0..<50_000).map { .int(Int64($0)) })]]
    let appends = (0..<9_999).map { index -> JSON in ["op": "add", "path": "/spec/items/-", "value": .int(Int64(index))] }
    let patch = JSON.array(appends + [["op": "remove", "path": "/spec/items/0"]])
    let items = try JSONPatch.apply(patch, to: document)[path: ["spec", "items"]].arrayValue ?? []
    #expect(items.count == 59_998)
    #expect(items.first == 1)
    #expect(items.last == 9_998)
  }
}
