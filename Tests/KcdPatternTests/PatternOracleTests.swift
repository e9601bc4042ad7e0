import KcdPattern
import Testing

/// Each row states the expected answer and is checked twice: against `Pattern`, and against
/// Swift's own backtracking `Regex` (scalar semantics) as the oracle, so a wrong row is caught
/// as well as a wrong matcher.
struct PatternOracleTests {
  struct Row: Sendable, CustomTestStringConvertible {
    let pattern: String
    let input: String
    let whole: Bool
    /// Text of the first match, nil when there is none.
    let first: String?
    /// Text of the group named `v` in the first match, nil when absent or unset.
    let v: String?

    init(_ pattern: String, _ input: String, whole: Bool, first: String?, v: String? = nil) {
      (self.pattern, self.input, self.whole, self.first, self.v) = (pattern, input, whole, first, v)
    }

    var testDescription: String { "/\(pattern)/ on \(input.debugDescription)" }
  }

  static let semver = #"v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?"#
  static let hex41 = String(repeating: "0123456789abcdef", count: 3).prefix(41)

  static let rows: [Row] = [
    Row("[0-9a-f]{5,40}", "deadbeef", whole: true, first: "deadbeef"),
    Row("[0-9a-f]{5,40}", "abc", whole: false, first: nil),
    Row("[0-9a-f]{5,40}", "xx0123456789abcdefyy", whole: false, first: "0123456789abcdef"),
    Row("[0-9a-f]{5,40}", String(hex41), whole: false, first: String(hex41.prefix(40))),
    Row("^[0-9a-f]{7,40}$", "1a2b3c4", whole: true, first: "1a2b3c4"),
    Row("^[0-9a-f]{7,40}$", "1a2b3c", whole: false, first: nil),
    Row("^[0-9a-f]{7,40}$", "1A2B3C4D", whole: false, first: nil),
    Row(semver, "v1.2.3", whole: true, first: "v1.2.3"),
    Row(semver, "1.22.333-rc.1", whole: true, first: "1.22.333-rc.1"),
    Row(semver, "release-1.2.3-beta-2+meta", whole: false, first: "1.2.3-beta-2"),
    Row(semver, "1.2", whole: false, first: nil),
    Row("^build-(?<v>[0-9]+)$", "build-42", whole: true, first: "build-42", v: "42"),
    Row("^build-(?<v>[0-9]+)$", "build-", whole: false, first: nil),
    Row("^build-(?<v>[0-9]+)$", "xbuild-42", whole: false, first: nil),
    Row("^(?P<v>[0-9]+)-[a-z]+$", "123-abc", whole: true, first: "123-abc", v: "123"),
    Row("^(?P<v>[0-9]+)-[a-z]+$", "123-ABC", whole: false, first: nil),
    // Alternation with empty branches: leftmost-first prefers the earlier branch.
    Row("a|", "b", whole: false, first: ""),
    Row("|a", "a", whole: true, first: ""),
    Row("(?<v>a|)b", "b", whole: true, first: "b", v: ""),
    Row("(?<v>|a)b", "ab", whole: true, first: "ab", v: "a"),
    Row("x(?<v>a|b|)y", "xy", whole: true, first: "xy", v: ""),
    Row("(?<v>a|ab)(c|bcd)(d*)", "abcd", whole: true, first: "abcd", v: "a"),
    // Greedy versus lazy: same overall answer, different captures.
    Row("(?<v>a+)a*", "aaa", whole: true, first: "aaa", v: "aaa"),
    Row("(?<v>a+?)a*", "aaa", whole: true, first: "aaa", v: "a"),
    Row("(?<v>.*)-(.*)", "a-b-c", whole: true, first: "a-b-c", v: "a-b"),
    Row("(?<v>.*?)-(.*)", "a-b-c", whole: true, first: "a-b-c", v: "a"),
    Row("<(?<v>.+?)>", "<a><b>", whole: true, first: "<a>", v: "a"),
    Row("<(?<v>.+)>", "<a><b>", whole: true, first: "<a><b>", v: "a><b"),
    Row("(?<v>a{2,4})", "aaaaa", whole: false, first: "aaaa", v: "aaaa"),
    Row("(?<v>a{2,4}?)", "aaaaa", whole: false, first: "aa", v: "aa"),
    Row("(?<v>a{2,}?)a", "aaaaa", whole: true, first: "aaa", v: "aa"),
    Row("(?<v>a??)a", "aa", whole: true, first: "a", v: ""),
    Row("(?<v>a?)a", "aa", whole: true, first: "aa", v: "a"),
    Row("(?<v>a*?)b", "aab", whole: true, first: "aab", v: "aa"),
    // `.` and newline.
    Row("a.b", "a\nb", whole: false, first: nil),
    Row("a.b", "axb", whole: true, first: "axb"),
    Row(".+", "ab\ncd", whole: false, first: "ab"),
    Row("[^x]+", "ab\ncd", whole: true, first: "ab\ncd"),
    Row(#"a\nb"#, "a\nb", whole: true, first: "a\nb"),
    Row(#"\s+"#, " \t\n", whole: true, first: " \t\n"),
    // Anchors inside alternations and groups.
    Row("^a|b$", "ab", whole: false, first: "a"),
    Row("^a|b$", "cb", whole: false, first: "b"),
    Row("^a|b$", "ba", whole: false, first: nil),
    Row("(^|-)(?<v>[0-9]+)($|-)", "x-12-y", whole: false, first: "-12-", v: "12"),
    Row("(^|-)(?<v>[0-9]+)($|-)", "34-y", whole: false, first: "34-", v: "34"),
    Row("(?<v>a|$)", "b", whole: false, first: "", v: ""),
    Row("^$", "", whole: true, first: ""),
    Row("$", "ab", whole: false, first: ""),
    Row("(?<v>$)", "ab", whole: false, first: "", v: ""),
    Row("a*", "", whole: true, first: ""),
    Row("a*", "bbb", whole: false, first: ""),
    Row("x*", "axx", whole: false, first: ""),
    // Escapes and classes.
    Row(#"(?<v>[a-z]+)\d+"#, "abc123", whole: true, first: "abc123", v: "abc"),
    Row(#"\d+"#, "abc", whole: false, first: nil),
    Row(#"\D+"#, "ab1", whole: false, first: "ab"),
    Row(#"\w+"#, "foo_bar-baz", whole: false, first: "foo_bar"),
    Row(#"\W"#, "ab-c", whole: false, first: "-"),
    Row(#"\S+"#, "  ab c", whole: false, first: "ab"),
    Row(#"[\d.]+"#, "v1.2.3", whole: false, first: "1.2.3"),
    Row(#"[\]]+"#, "a]]b", whole: false, first: "]]"),
    Row("[-a]+", "--a-b", whole: false, first: "--a-"),
    Row("[a-]+", "--a-b", whole: false, first: "--a-"),
    Row("[^-a]+", "--ab", whole: false, first: "b"),
    Row(#"[\t\n]+"#, "a\t\nb", whole: false, first: "\t\n"),
    Row(#"\."#, "a.b", whole: false, first: "."),
    Row(#"a\/b"#, "a/b", whole: true, first: "a/b"),
    Row(#"\(\d+\)"#, "f(12)", whole: false, first: "(12)"),
    Row(#"\{\}\[\]\|\*\+\?\^\$\\\-"#, #"{}[]|*+?^$\-"#, whole: true, first: #"{}[]|*+?^$\-"#),
    Row(##"a\#b\@c"##, "a#b@c", whole: true, first: "a#b@c"),
    // Repetition.
    Row("a{3}", "aaaa", whole: false, first: "aaa"),
    Row("a{2,}", "aaaaa", whole: true, first: "aaaaa"),
    Row("a{0}b", "ab", whole: false, first: "b"),
    Row("(?:ab)+", "ababa", whole: false, first: "abab"),
    Row("(?<v>ab)+", "ababab", whole: true, first: "ababab", v: "ab"),
    Row("(?<v>a|b)*", "abba", whole: true, first: "abba", v: "a"),
    // Loops over bodies that can match empty keep Perl's priority order.
    Row("(?<v>|a)*", "aa", whole: true, first: "", v: ""),
    Row("(?<v>|a)+", "aa", whole: true, first: "", v: ""),
    Row("(?<v>a?)*?b", "aab", whole: true, first: "aab", v: "a"),
    Row("(?<v>(a*)*)c", "aac", whole: true, first: "aac", v: "aa"),
    Row("(?<v>x)?y", "y", whole: true, first: "y", v: nil),
    Row(#"(?<v>\d+)(?:\.\d+)*"#, "1.2.3", whole: true, first: "1.2.3", v: "1"),
    Row("colou?r", "color", whole: true, first: "color"),
    Row("gr(a|e)y", "a grey cat", whole: false, first: "grey"),
    // Multi-byte characters count as one.
    Row("héllo", "héllo", whole: true, first: "héllo"),
    Row("h.llo", "héllo", whole: true, first: "héllo"),
    Row("[^a]", "é", whole: true, first: "é"),
    Row("^.$", "日", whole: true, first: "日"),
    Row("^.{2}$", "日本", whole: true, first: "日本"),
    Row("[à-ÿ]+", "café", whole: false, first: "é"),
    Row("(?<v>[^-]+)-", "🚀x-y", whole: false, first: "🚀x-", v: "🚀x"),
  ]

  @Test func tableIsLargeEnough() {
    #expect(Self.rows.count >= 60)
  }

  @Test(arguments: rows)
  func patternGivesExpectedAnswer(_ row: Row) throws {
    let pattern = try Pattern(row.pattern)
    #expect(pattern.wholeMatch(row.input) == row.whole)
    let match = pattern.firstMatch(row.input)
    #expect(match.map { String($0.value) } == row.first)
    #expect(match?["v"].map(String.init) == row.v)
  }

  @Test(arguments: rows)
  func swiftRegexAgrees(_ row: Row) throws {
    let regex = try Regex(row.pattern).matchingSemantics(.unicodeScalar)
    #expect((row.input.wholeMatch(of: regex) != nil) == row.whole)
    let oracle = row.input.firstMatch(of: regex)
    #expect(oracle.map { String(row.input[$0.range]) } == row.first)
    #expect(oracle?.output["v"]?.substring.map(String.init) == row.v)
    let ours = try Pattern(row.pattern).firstMatch(row.input)
    #expect(ours.map { utf8Offsets($0.range, in: row.input) } == oracle.map { utf8Offsets($0.range, in: row.input) })
  }

  func utf8Offsets(_ range: Range<String.Index>, in text: String) -> [Int] {
    let utf8 = text.utf8
    return [utf8.distance(from: utf8.startIndex, to: range.lowerBound), utf8.distance(from: utf8.startIndex, to: range.upperBound)]
  }
}
