@testable import KcdPattern
import Testing

/// Every construct outside the supported subset, and every limit, is refused with its own code
/// and a short message that quotes little of the pattern.
struct PatternRefusalTests {
  struct Row: Sendable, CustomTestStringConvertible {
    let pattern: String
    let code: PatternError.Code
    var testDescription: String { "/\(pattern.prefix(40))/ → \(code)" }
  }

  static let rows: [Row] = [
    Row(pattern: #"(a)\1"#, code: .backreference),
    Row(pattern: #"(?<v>a)\k<v>"#, code: .backreference),
    Row(pattern: "(?<v>a)(?P=v)", code: .backreference),
    Row(pattern: "a(?=b)", code: .lookaround),
    Row(pattern: "a(?!b)", code: .lookaround),
    Row(pattern: "(?<=a)b", code: .lookaround),
    Row(pattern: "(?<!a)b", code: .lookaround),
    Row(pattern: "(?>a+)b", code: .atomicOrPossessive),
    Row(pattern: "a*+b", code: .atomicOrPossessive),
    Row(pattern: "(ab", code: .unbalancedParenthesis),
    Row(pattern: "ab)", code: .unbalancedParenthesis),
    Row(pattern: "((a)", code: .unbalancedParenthesis),
    Row(pattern: "[z-a]", code: .invalidRange),
    Row(pattern: "[a-c-e]", code: .invalidRange),
    Row(pattern: #"[\d-z]"#, code: .invalidRange),
    Row(pattern: "a{3,2}", code: .invalidRepetition),
    Row(pattern: "a{,3}", code: .invalidRepetition),
    Row(pattern: "a{x}", code: .invalidRepetition),
    Row(pattern: "a{2", code: .invalidRepetition),
    Row(pattern: "a{1001}", code: .boundTooLarge),
    Row(pattern: "a{0,1001}", code: .boundTooLarge),
    Row(pattern: "a{99999999999999999999}", code: .boundTooLarge),
    Row(pattern: "(a{1000}){1000}", code: .programTooLarge),
    Row(pattern: "(((((a{10}){10}){10}){10}){10})", code: .programTooLarge),
    Row(pattern: String(repeating: "a", count: 1_025), code: .patternTooLong),
    Row(pattern: String(repeating: "(?:", count: 101) + "a" + String(repeating: ")", count: 101), code: .nestingTooDeep),
    Row(pattern: String(repeating: "(a)", count: 33), code: .tooManyCaptures),
    Row(pattern: "*a", code: .nothingToRepeat),
    Row(pattern: "a|+b", code: .nothingToRepeat),
    Row(pattern: "(?:?a)", code: .nothingToRepeat),
    Row(pattern: "{2}", code: .nothingToRepeat),
    Row(pattern: "^*a", code: .nothingToRepeat),
    Row(pattern: "a**", code: .nestedQuantifier),
    Row(pattern: "a{2}{3}", code: .nestedQuantifier),
    Row(pattern: "[]", code: .emptyClass),
    Row(pattern: "[^]", code: .emptyClass),
    Row(pattern: "[]a]", code: .emptyClass),
    Row(pattern: "[abc", code: .unterminatedClass),
    Row(pattern: "[[:alpha:]]", code: .unsupportedClassSyntax),
    Row(pattern: "[a&&b]", code: .unsupportedClassSyntax),
    Row(pattern: #"a\"#, code: .trailingBackslash),
    Row(pattern: #"\bword\b"#, code: .wordBoundary),
    Row(pattern: #"\p{L}+"#, code: .unicodeProperty),
    Row(pattern: #"\x41"#, code: .unsupportedEscape),
    Row(pattern: #"\A"#, code: .unsupportedEscape),
    Row(pattern: #"\é"#, code: .unsupportedEscape),
    Row(pattern: "(?i)abc", code: .unsupportedGroup),
    Row(pattern: "(?<1v>a)", code: .invalidGroupName),
    Row(pattern: "(?<v-x>a)", code: .invalidGroupName),
    Row(pattern: "(?<v>a)(?<v>b)", code: .duplicateGroupName),
  ]

  @Test(arguments: rows)
  func isRefusedWithItsCode(_ row: Row) {
    #expect(throws: PatternError.self) { try Pattern(row.pattern) }
    do {
      _ = try Pattern(row.pattern)
    } catch {
      #expect(error.code == row.code, "\(error)")
      #expect(error.description.utf8.count < 200)
      #expect(Self.longestQuotedRun(of: row.pattern, in: error.description) <= 40)
    }
  }

  @Test func errorPointsAtTheOffset() {
    #expect(throws: PatternError(.backreference, "backreferences are not supported", offset: 8, excerpt: #"\1"#)) {
      try Pattern(#"(a)(bé)\1"#)
    }
    #expect(throws: PatternError(.lookaround, "lookahead is not supported", offset: 1, excerpt: "(?=b)")) {
      try Pattern("a(?=b)")
    }
  }

  @Test func programTooLargeSaysSo() {
    #expect {
      try Pattern("(a{1000}){1000}")
    } throws: { error in
      (error as? PatternError)?.description.contains("too large") == true
    }
  }

  @Test func longPatternsAreNotEchoed() {
    let letters = String(String.UnicodeScalarView((0..<2_000).map { Unicode.Scalar(UInt8(0x61 + $0 % 26)) }))
    let head = String(letters.prefix(500))
    let offenders: [String] = [
      head + #"\1"# + head,
      String(letters.prefix(900)) + "(" + String(letters.prefix(100)),
      "(" + String(letters.prefix(200)) + "){1000}",
      letters,
    ]
    for pattern in offenders {
      #expect(throws: PatternError.self) { try Pattern(pattern) }
      do {
        _ = try Pattern(pattern)
      } catch {
        #expect(error.description.utf8.count < 200)
        #expect(Self.longestQuotedRun(of: pattern, in: error.description) <= 40, "\(error)")
      }
    }
  }

  @Test(arguments: [
    "a{1000}", "a{0,1000}", String(repeating: "a", count: 1_024),
    String(repeating: "(?:", count: 100) + "a" + String(repeating: ")", count: 100),
    String(repeating: "(a)", count: 32), "(a{1000}){19}", "[-]", #"[\]]"#, "a{0}", "()",
  ])
  func limitsThemselvesAreAccepted(_ pattern: String) throws {
    _ = try Pattern(pattern)
  }

  /// Length of the longest run of pattern characters that appears verbatim in `message`.
  static func longestQuotedRun(of pattern: String, in message: String) -> Int {
    let source = Array(pattern.unicodeScalars)
    var longest = 0
    for start in source.indices {
      var length = longest + 1
      while start + length <= source.count,
        message.contains(String(String.UnicodeScalarView(source[start..<(start + length)])))
      {
        longest = length
        length += 1
      }
    }
    return longest
  }
}
