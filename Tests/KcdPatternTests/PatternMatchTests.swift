import KcdPattern
import Testing

/// The public surface: captures by number and name, ranges into the input, value semantics,
/// and sharing one compiled pattern across tasks.
struct PatternMatchTests {
  @Test func capturesByIndexAndName() throws {
    let pattern = try Pattern(#"^(?<name>[a-z]+)-(?P<v>\d+)(\.(\d+))?(x)?$"#)
    #expect(pattern.captureCount == 5)
    let match = try #require(pattern.firstMatch("build-12.7"))
    #expect(match.count == 6)
    #expect(match[0] == "build-12.7")
    #expect(match[1] == "build")
    #expect(match["name"] == "build")
    #expect(match["v"] == "12")
    #expect(match[2] == "12")
    #expect(match[3] == ".7")
    #expect(match[4] == "7")
    #expect(match[5] == nil)
    #expect(match[6] == nil)
    #expect(match[-1] == nil)
    #expect(match["missing"] == nil)
    #expect(match.names == ["name", "v"])
  }

  @Test func rangeIndexesTheInput() throws {
    let input = "tag: v1.20.3-rc1 (latest)"
    let match = try #require(try Pattern(#"v(?<v>\d+\.\d+\.\d+)"#).firstMatch(input))
    #expect(input[match.range] == "v1.20.3")
    #expect(match.value == "v1.20.3")
    #expect(input[try #require(match.range(at: 1))] == "1.20.3")
    #expect(match.input == input)
  }

  @Test func multiByteCharactersAreOneCharacter() throws {
    let pattern = try Pattern("^a.c[^x]e$")
    #expect(pattern.wholeMatch("a日c🚀e"))
    #expect(!pattern.wholeMatch("a日日c🚀e"))
    let match = try #require(try Pattern("(?<v>.)$").firstMatch("xé🚀"))
    #expect(match["v"] == "🚀")
  }

  @Test func dollarIsEndOfInputOnly() throws {
    // Like RE2 and Swift Regex, unlike PCRE, `$` does not also match before a final newline.
    let pattern = try Pattern("^v[0-9]+$")
    #expect(pattern.wholeMatch("v1"))
    #expect(!pattern.wholeMatch("v1\n"))
    #expect(pattern.firstMatch("v1\n") == nil)
  }

  @Test func emptyLastIterationKeepsTheLastNonEmptyCapture() throws {
    // Known difference: PCRE and Swift Regex run one more, empty, iteration of `(a|)+` and
    // report v = "". The overall match is the same.
    let match = try #require(try Pattern("(?<v>a|)+b").firstMatch("aab"))
    #expect(match.value == "aab")
    #expect(match["v"] == "a")
  }

  @Test func classShorthandsAreASCII() throws {
    #expect(!(try Pattern(#"^\d$"#).wholeMatch("٣")))
    #expect(!(try Pattern(#"^\w$"#).wholeMatch("é")))
    #expect(try Pattern(#"^\W$"#).wholeMatch("é"))
  }

  @Test func equalityFollowsTheSource() throws {
    let a = try Pattern("[0-9]+")
    let b = try Pattern("[0-9]+")
    let c = try Pattern("[0-9]*")
    #expect(a == b)
    #expect(a != c)
    #expect(Set([a, b, c]).count == 2)
    #expect(a.description == "[0-9]+")
    #expect(a.source == "[0-9]+")
  }

  @Test func oneCompiledPatternServesManyTasks() async throws {
    let pattern = try Pattern("^build-(?<v>[0-9]+)$")
    let results = await withTaskGroup(of: String?.self) { group in
      for n in 0..<16 {
        group.addTask { pattern.firstMatch("build-\(n)")?["v"].map(String.init) }
      }
      var all: [String] = []
      for await result in group { all.append(result ?? "nil") }
      return all
    }
    #expect(Set(results) == Set((0..<16).map(String.init)))
  }
}
