import KcdJSON
import KcdYAML
import Testing

/// Scalar styles, escapes, folding and core-schema typing.
@Suite struct ScalarTests {
  // MARK: Core schema

  /// Plain scalars as the value of `v:`, with the JSON they must become.
  @Test(arguments: [
    ("", "null"), ("~", "null"), ("null", "null"), ("Null", "null"), ("NULL", "null"),
    ("nULL", #""nULL""#), ("nil", #""nil""#), ("none", #""none""#),
    ("true", "true"), ("True", "true"), ("TRUE", "true"),
    ("false", "false"), ("False", "false"), ("FALSE", "false"), ("tRUE", #""tRUE""#),
    ("yes", #""yes""#), ("no", #""no""#), ("on", #""on""#), ("off", #""off""#),
    ("y", #""y""#), ("n", #""n""#), ("Yes", #""Yes""#), ("NO", #""NO""#), ("Off", #""Off""#),
    ("0", "0"), ("-0", "0"), ("12", "12"), ("+12", "12"), ("-12", "-12"), ("012", "12"),
    ("0x1F", "31"), ("0xff", "255"), ("0o17", "15"), ("0o8", #""0o8""#), ("0x", #""0x""#),
    ("0b101", #""0b101""#), ("1_000", #""1_000""#), ("1,000", #""1,000""#),
    ("9223372036854775807", "9223372036854775807"), ("-9223372036854775808", "-9223372036854775808"),
    ("9223372036854775808", "9.223372036854775808e18"),
    ("1.5", "1.5"), ("-1.5", "-1.5"), ("+1.5", "1.5"), (".5", "0.5"), ("-.5", "-0.5"), ("1.", "1.0"),
    ("1e3", "1000.0"), ("1E-2", "0.01"), ("-1.5e+3", "-1500.0"), ("6.02e23", "6.02e23"),
    ("1e", #""1e""#), ("e3", #""e3""#), (".", #"".""#), ("1.2.3", #""1.2.3""#), ("+", #""+""#),
    (".e3", #"".e3""#), ("inf", #""inf""#), ("nan", #""nan""#), ("0x1p3", #""0x1p3""#),
    ("1:2", #""1:2""#), ("12:30:00", #""12:30:00""#), ("2024-01-01", #""2024-01-01""#), ("1 2", #""1 2""#),
    ("v1.2.3", #""v1.2.3""#), ("500m", #""500m""#), ("25%", #""25%""#), ("-1-2", #""-1-2""#),
  ])
  func coreSchemaTyping(plain: String, expectedJSON: String) throws {
    try expectYAML("v: \(plain)", #"{"v": \#(expectedJSON)}"#)
  }

  @Test func infinitiesAndNaN() throws {
    let value = try YAML.parse("[.inf, .Inf, .INF, +.inf, -.inf, -.Inf, .nan, .NaN, .NAN, -.nan]")
    let expected: [Double] = [.infinity, .infinity, .infinity, .infinity, -.infinity, -.infinity]
    for (index, number) in expected.enumerated() { #expect(identical(value[index], .double(number))) }
    for index in 6...8 { #expect(value[index].doubleValue?.isNaN == true) }
    #expect(value[9] == .string("-.nan"))
  }

  @Test(arguments: [
    (#"'true'"#, #""true""#), (#""1""#, #""1""#), (#"'null'"#, #""null""#), (#"''"#, #""""#),
    (#""""#, #""""#), (#"'~'"#, #""~""#), (#""0x10""#, #""0x10""#), (#"'1e3'"#, #""1e3""#),
  ])
  func quotedScalarsAreAlwaysStrings(yaml: String, expectedJSON: String) throws {
    try expectYAML("v: \(yaml)", #"{"v": \#(expectedJSON)}"#)
  }

  /// JSON keys are strings: other scalar keys keep their written text.
  @Test func nonStringKeysBecomeTheirText() throws {
    try expectYAML("1: a\ntrue: b\n0x10: c\n1.50: d\n\"\": e\n'x': f\n", #"{"1": "a", "true": "b", "0x10": "c", "1.50": "d", "": "e", "x": "f"}"#)
  }

  // MARK: Tags

  @Test(arguments: [
    ("!!str 123", #""123""#), ("!!str true", #""true""#), ("!!str", #""""#), ("! 12", #""12""#),
    (#"!!int "42""#, "42"), ("!!int 0x10", "16"), ("!!int -7", "-7"),
    ("!!float 1", "1.0"), (#"!!float '2.5'"#, "2.5"), ("!!float 1e2", "100.0"),
    (#"!!bool "true""#, "true"), ("!!bool FALSE", "false"),
    ("!!null", "null"), ("!!null ~", "null"), (#"!!null """#, "null"),
    ("!!map {a: 1}", #"{"a": 1}"#), ("!!seq [1, x]", #"[1, "x"]"#),
    ("!<tag:yaml.org,2002:str> 5", #""5""#), ("!<tag:yaml.org,2002:int> '5'", "5"),
    ("&a !!str 7", #""7""#), ("!!str &a 7", #""7""#),
  ])
  func coreTagsAreHonoured(yaml: String, expectedJSON: String) throws {
    try expectYAML("v: \(yaml)", #"{"v": \#(expectedJSON)}"#)
  }

  @Test func tagsOnBlockCollections() throws {
    try expectYAML("v: !!map\n  a: 1\nw: !!seq\n- x\n", #"{"v": {"a": 1}, "w": ["x"]}"#)
  }

  // MARK: Plain scalars

  @Test func plainScalarsKeepColonsHashesAndIndicatorsInside() throws {
    let yaml = """
      server: http://host:6443
      pair: a:b
      anchor: page#section
      dash: -x
      leading: ::vector
      url: http://example.com/foo#bar # comment
      words: several words  with   spaces   
      question: ?maybe
      brackets: a[0]{1},x
      a[0]: indexed
      """
    try expectYAML(yaml, #"""
      {"server": "http://host:6443", "pair": "a:b", "anchor": "page#section", "dash": "-x",
       "leading": "::vector", "url": "http://example.com/foo#bar", "words": "several words  with   spaces",
       "question": "?maybe", "brackets": "a[0]{1},x", "a[0]": "indexed"}
      """#)
  }

  @Test func multiLinePlainScalarsFold() throws {
    let yaml = """
      key: first
        second

        third


        fourth
        - not a sequence
      next: value
      """
    try expectYAML(yaml, #"{"key": "first second\nthird\n\nfourth - not a sequence", "next": "value"}"#)
    #expect(parseFailure(yaml + "\n- entry") == YAMLError(line: 10, column: 1, message: "expected a mapping key at this indentation, found a sequence entry"))
  }

  // MARK: Quoted scalars

  @Test(arguments: [
    (#"\0"#, "\u{0}"), (#"\a"#, "\u{7}"), (#"\b"#, "\u{8}"), (#"\t"#, "\t"), ("\\\t", "\t"),
    (#"\n"#, "\n"), (#"\v"#, "\u{B}"), (#"\f"#, "\u{C}"), (#"\r"#, "\r"), (#"\e"#, "\u{1B}"),
    (#"\ "#, " "), (#"\""#, "\""), (#"\/"#, "/"), (#"\\"#, "\\"), (#"\N"#, "\u{85}"),
    (#"\_"#, "\u{A0}"), (#"\L"#, "\u{2028}"), (#"\P"#, "\u{2029}"), (#"\x41"#, "A"), (#"\xe9"#, "é"),
    (#"\u263A"#, "☺"), (#"\u00E9t\u00e9"#, "été"), (#"\U0001F600"#, "😀"), (#"\uD83D\uDE00"#, "😀"),
    (#"a\tb\\c\"d"#, "a\tb\\c\"d"),
  ])
  func doubleQuotedEscapes(escaped: String, expected: String) throws {
    #expect(try YAML.parse("\"\(escaped)\"") == .string(expected))
  }

  @Test func singleQuotedScalarsOnlyEscapeQuotes() throws {
    try expectYAML(#"[ 'it''s', 'a\nb', '''', 'x # y' ]"#, #"["it's", "a\\nb", "'", "x # y"]"#)
  }

  @Test func quotedScalarsFoldLines() throws {
    let yaml = #"""
      double: "first
        second

        third\
        fourth \
        fifth  
        "
      single: 'one
        two

        three'
      """#
    try expectYAML(yaml, #"{"double": "first second\nthirdfourth fifth ", "single": "one two\nthree"}"#)
  }

  // MARK: Block scalars

  @Test func literalChomping() throws {
    let yaml = """
      strip: |-
        a
         b


      clip: |
        a
         b


      keep: |+
        a
         b


      end: x
      """
    try expectYAML(yaml, #"{"strip": "a\n b", "clip": "a\n b\n", "keep": "a\n b\n\n\n", "end": "x"}"#)
  }

  @Test func foldedChomping() throws {
    let yaml = """
      strip: >-
        a
        b


      clip: >
        a
        b


      keep: >+
        a
        b


      end: x
      """
    try expectYAML(yaml, #"{"strip": "a b", "clip": "a b\n", "keep": "a b\n\n\n", "end": "x"}"#)
  }

  @Test func chompingWithoutFinalLineBreakAndEmptyContent() throws {
    try expectYAML("a: |+\n  text", #"{"a": "text"}"#)
    try expectYAML("a: |\n  text", #"{"a": "text"}"#)
    try expectYAML("a: >\n  text", #"{"a": "text"}"#)
    // Spec example 8.6, empty scalar chomping.
    try expectYAML("strip: >-\n\nclip: >\n\nkeep: |+\n\n", #"{"strip": "", "clip": "", "keep": "\n"}"#)
    try expectYAML("a: |\nb: >-\n", #"{"a": "", "b": ""}"#)
    try expectYAMLDocuments("--- |+\n  \n--- |+\n  ", #"["\n", ""]"#)
    try expectYAML("a: |\n  x\n     ", #"{"a": "x\n   "}"#)
  }

  /// Spec example 8.1 (block scalar headers) and 8.2 (indentation indicators).
  @Test func explicitIndentationIndicators() throws {
    let headers = """
      - | # Empty header
       literal
      - >1 # Indentation indicator
        folded
      - |+ # Chomping indicator
       keep

      - >1- # Both indicators
        strip

      """
    try expectYAML(headers, #"["literal\n", " folded\n", "keep\n\n", " strip"]"#)
    let indicators = "- |\n detected\n- >\n \n  \n  # detected\n- |1\n  explicit\n- >\n \t\n detected\n"
    try expectYAML(indicators, #"["detected\n", "\n\n# detected\n", " explicit\n", "\t\ndetected\n"]"#)
    try expectYAML("code: |2-\n    indented first line\n  normal\n", #"{"code": "  indented first line\nnormal"}"#)
    try expectYAML("code: |-2\n    x\n", #"{"code": "  x"}"#)
  }

  /// Spec example 8.10: folding keeps line breaks around more-indented lines.
  @Test func foldedMoreIndentedLines() throws {
    let yaml = ">\n\n folded\n line\n\n next\n line\n   * bullet\n\n   * list\n   * lines\n\n last\n line\n\n# Comment\n"
    try expectYAML(yaml, #""\nfolded line\nnext line\n  * bullet\n\n  * list\n  * lines\n\nlast line\n""#)
  }

  /// Spec example 8.8: content may hold `#`, spaces-only lines and empty lines.
  @Test func literalContentKeepsEverything() throws {
    let yaml = "|\n \n  \n  literal\n   \n  \n  text\n\n # Comment\n"
    try expectYAML(yaml, #""\n\nliteral\n \n\ntext\n""#)
    try expectYAML("a: |\n  # not a comment\n  x: y\n  \ttab\nb: 1\n", ##"{"a": "# not a comment\nx: y\n\ttab\n", "b": 1}"##)
  }
}
