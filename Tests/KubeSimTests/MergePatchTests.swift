import KcdJSON
import Testing

@testable import KubeSim

/// RFC 7386 section 3 and appendix A vectors.
@Suite struct MergePatchTests {
  private func merged(_ document: String, _ patch: String) throws -> JSON {
    MergePatch.apply(try JSON.parse(patch), to: try JSON.parse(document))
  }

  @Test(arguments: [
    (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
    (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
    (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
    (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
    (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
    (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
    (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
    (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
    (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
    (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
    (#"{"a":"foo"}"#, #"null"#, #"null"#),
    (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
    (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
    (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
    (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
  ])
  func appendixA(original: String, patch: String, expected: String) throws {
    #expect(try merged(original, patch) == (try JSON.parse(expected)))
  }

  @Test func section3Example() throws {
    let original = #"""
      {"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},
       "tags":["example","sample"],"content":"This will be unchanged"}
      """#
    let patch = #"""
      {"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]}
      """#
    let expected = #"""
      {"title":"Hello!","author":{"givenName":"John"},"tags":["example"],
       "content":"This will be unchanged","phoneNumber":"+01-123-456-7890"}
      """#
    #expect(try merged(original, patch) == (try JSON.parse(expected)))
  }

  @Test func listsAreReplacedNotMerged() throws {
    // Unlike a strategic merge patch, a merge patch replaces the whole container list.
    let result = try merged(
      #"{"spec":{"containers":[{"name":"app","image":"a:1"},{"name":"side","image":"s:1"}]}}"#,
      #"{"spec":{"containers":[{"name":"app","image":"a:2"}]}}"#)
    #expect(result == (try JSON.parse(#"{"spec":{"containers":[{"name":"app","image":"a:2"}]}}"#)))
  }

  @Test func nestingAtTheParserLimitMerges() throws {
    let depth = JSON.maximumDepth - 1
    let document = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
    let patch = String(repeating: #"{"a":"#, count: depth) + "null" + String(repeating: "}", count: depth)
    let expected = String(repeating: #"{"a":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
    #expect(try merged(document, patch) == (try JSON.parse(expected)))
  }
}
