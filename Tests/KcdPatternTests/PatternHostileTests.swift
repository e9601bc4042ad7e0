import KcdPattern
import Testing

/// Patterns that make a backtracking engine take exponential or high-polynomial time. Each
/// must give the right answer and finish well inside a generous bound even in a debug build.
struct PatternHostileTests {
  struct Row: Sendable, CustomTestStringConvertible {
    let pattern: String
    let input: String
    let whole: Bool
    /// UTF-8 length of the first match, nil when there is none.
    let firstLength: Int?

    var testDescription: String { "/\(pattern.prefix(40))/ on \(input.utf8.count) bytes" }
  }

  static let as10k = String(repeating: "a", count: 10_000)
  static let hex5k = String(repeating: "0123456789abcdef", count: 313).prefix(5_000)

  static let rows: [Row] = [
    Row(pattern: String(repeating: "a*", count: 100) + "b", input: as10k, whole: false, firstLength: nil),
    Row(pattern: String(repeating: "[0-9a-f]*", count: 6) + "x", input: String(hex5k), whole: false, firstLength: nil),
    Row(pattern: "(a|a)*b", input: as10k, whole: false, firstLength: nil),
    Row(pattern: "(a*)*b", input: as10k, whole: false, firstLength: nil),
    Row(pattern: "(a+)+b", input: as10k, whole: false, firstLength: nil),
    Row(pattern: "(.*a){20}", input: as10k + "b", whole: false, firstLength: 10_000),
    Row(pattern: "(.*a){20}", input: String(repeating: "ab", count: 19) + String(repeating: "b", count: 10_000), whole: false, firstLength: nil),
    Row(pattern: "^(a+)+$", input: as10k + "!", whole: false, firstLength: nil),
    Row(pattern: #"^(\w+\s?)*$"#, input: String(repeating: "word ", count: 2_000) + "!", whole: false, firstLength: nil),
    Row(pattern: "(?:a?){500}a{500}", input: String(repeating: "a", count: 500), whole: true, firstLength: 500),
    Row(pattern: "(x+x+)+y", input: String(repeating: "x", count: 10_000), whole: false, firstLength: nil),
  ]

  @Test(arguments: rows)
  func finishesFastWithTheRightAnswer(_ row: Row) throws {
    let pattern = try Pattern(row.pattern)
    let clock = ContinuousClock()
    var whole = true
    var match: PatternMatch?
    let wholeTime = clock.measure { whole = pattern.wholeMatch(row.input) }
    let firstTime = clock.measure { match = pattern.firstMatch(row.input) }
    print("hostile \(row.testDescription): wholeMatch \(wholeTime), firstMatch \(firstTime)")
    #expect(whole == row.whole)
    #expect(match.map { $0.value.utf8.count } == row.firstLength)
    #expect(wholeTime < .seconds(2))
    #expect(firstTime < .seconds(2))
  }
}
