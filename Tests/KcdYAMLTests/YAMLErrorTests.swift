import KcdJSON
import KcdYAML
import Testing

/// Refusals: each names the problem and points at the line and column to fix.
@Suite struct YAMLErrorTests {
  @Test func descriptionLeadsWithThePosition() {
    #expect(YAMLError(line: 7, column: 3, message: "duplicate key 'a'").description == "line 7, column 3: duplicate key 'a'")
  }

  @Test(arguments: [
    ("a:\n  b: 1\n   c: 2\n", 3, 4, "bad indentation of a mapping entry"),
    ("a:\n    b: 1\n  c: 2\n", 3, 3, "bad indentation of a mapping entry"),
    ("key: value\n  other: x\n", 2, 3, "bad indentation of a mapping entry"),
    ("- a\n- \"b\"\n  - c\n", 3, 3, "bad indentation of a sequence entry"),
    ("- a\nb: c\n", 2, 1, "expected a sequence entry ('- ') at this indentation"),
    ("a: 1\n- b\n", 2, 1, "expected a mapping key at this indentation, found a sequence entry"),
    ("a: 1\nb\nc: 2\n", 2, 2, "expected ':' after a mapping key"),
    ("  a: 1\nb: 2\n", 2, 1, "unexpected content after the document's root node (check the indentation)"),
  ])
  func badIndentation(yaml: String, line: Int, column: Int, message: String) {
    #expect(parseFailure(yaml) == YAMLError(line: line, column: column, message: message))
  }

  @Test(arguments: [
    ("a:\n\tb: 1\n", 2, 1),
    ("a:\n  b: 1\n  \tc: 2\n", 3, 3),
    ("-\tkey: value\n", 1, 3),
  ])
  func tabIndentation(yaml: String, line: Int, column: Int) {
    #expect(parseFailure(yaml) == YAMLError(line: line, column: column, message: "tab characters must not be used for indentation"))
  }

  @Test func tabsOutsideIndentationAreFine() throws {
    try expectYAML("a:\t1\nb: [x,\tz]\n\t\n# comment\n\t# indented comment\nc: \"\tq\"\n", #"{"a": 1, "b": ["x", "z"], "c": "\tq"}"#)
  }

  @Test(arguments: [
    ("a: \"abc\n", 1, 4, "unclosed double-quoted scalar"),
    ("a: 'abc\n", 1, 4, "unclosed single-quoted scalar"),
    ("a: \"abc\nb: 1\n", 1, 4, "unclosed double-quoted scalar"),
    ("a: \"abc\nb: \"def\"\n", 1, 4, "unclosed double-quoted scalar"),
    ("a: 'x\n  y' z\n", 2, 6, "unexpected 'z' after a value on the same line"),
    ("- 'it''s\n- x\n", 1, 3, "unclosed single-quoted scalar"),
    ("\"abc\n---\n\"\n", 1, 1, "unclosed double-quoted scalar"),
    ("a: \"ends in escape\\", 1, 4, "unclosed double-quoted scalar"),
  ])
  func unclosedQuote(yaml: String, line: Int, column: Int, message: String) {
    #expect(parseFailure(yaml) == YAMLError(line: line, column: column, message: message))
  }

  @Test(arguments: [
    ("a: [1, 2\n", 1, 4, "unclosed flow sequence: expected ']'"),
    ("{a: 1, b: [x]\n", 1, 1, "unclosed flow mapping: expected '}'"),
    ("[\n  [1, 2]\n---\n", 1, 1, "unclosed flow sequence: expected ']'"),
    ("a: [1, 2\nb: 3\n", 1, 4, "unclosed flow sequence: expected ']'"),
    ("a: [1, 2\nb: [3]\nc: 4\n", 3, 1, "expected ',' or ']' in a flow sequence, found 'c'"),
    ("a: {x: 1 y: 2}\n", 1, 11, "expected ',' or '}' in a flow mapping, found ':'"),
    ("a: [x, y}\n", 1, 9, "expected ',' or ']' in a flow sequence, found '}'"),
    ("a: [x,, y]\n", 1, 7, "expected a value, found ','"),
  ])
  func unclosedOrMalformedFlowCollection(yaml: String, line: Int, column: Int, message: String) {
    #expect(parseFailure(yaml) == YAMLError(line: line, column: column, message: message))
  }

  @Test(arguments: [
    ("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a'"),
    ("users:\n- name: x\n  user: {}\n  name: y\n", 4, 3, "duplicate key 'name'"),
    ("{a: 1, \"a\": 2}", 1, 8, "duplicate key 'a'"),
    ("1: x\n\"1\": y\n", 2, 1, "duplicate key '1'"),
    ("a: &x {k: 1}\nb:\n  <<: *x\n  <<: *x\n", 4, 3, "duplicate key '<<'"),
    ("\"a\\tb\\nc\": 1\n? |-\n  a\tb\n  c\n: 2\n", 2, 1, "duplicate key 'a\\tb\\nc'"),
    ("\(String(repeating: "k", count: 70)): 1\n\(String(repeating: "k", count: 70)): 2\n", 2, 1,
     "duplicate key '\(String(repeating: "k", count: 60))…'"),
  ])
  func duplicateKeys(yaml: String, line: Int, column: Int, message: String) {
    #expect(parseFailure(yaml) == YAMLError(line: line, column: column, message: message))
  }

  @Test(arguments: [
    ("a: !foo bar\n", 1, 4, "unsupported tag '!foo'"),
    ("- !!timestamp 2001-12-14\n", 1, 3, "unsupported tag '!!timestamp'"),
    ("a: !<tag:example.com,2000:x> 1\n", 1, 4, "unsupported tag '!<tag:example.com,2000:x>'"),
    ("[!e!foo bar]", 1, 2, "unsupported tag '!e!foo'"),
    ("a: !!int abc\n", 1, 4, "'abc' is not a valid !!int value"),
    ("a: !!bool yes\n", 1, 4, "'yes' is not a valid !!bool value"),
    ("a: !!map [1]\n", 1, 4, "tag '!!map' cannot be applied to a sequence"),
    ("a: !!seq {}\n", 1, 4, "tag '!!seq' cannot be applied to a mapping"),
    ("a: !!seq x\n", 1, 4, "tag '!!seq' cannot be applied to a scalar"),
  ])
  func unknownOrMisappliedTags(yaml: String, line: Int, column: Int, message: String) {
    #expect(parseFailure(yaml) == YAMLError(line: line, column: column, message: message))
  }

  @Test(arguments: [
    ("a: *nope\n", 1, 4, "alias '*nope' refers to an undefined anchor"),
    ("a: &x [*x]\n", 1, 8, "alias '*x' refers to an undefined anchor"),
    ("a: &x 1\n---\nb: *x\n", 3, 4, "alias '*x' refers to an undefined anchor"),
    ("z: &y 1\na: &x !!str *y\n", 2, 4, "an alias cannot have an anchor or a tag"),
    ("*x : 1\n", 1, 1, "aliases cannot be used as mapping keys"),
    ("a: &x 1\nb:\n  <<: *x\n", 3, 3, "a merge key '<<' needs a mapping or a sequence of mappings"),
  ])
  func aliasProblems(yaml: String, line: Int, column: Int, message: String) {
    #expect(parseFailure(yaml) == YAMLError(line: line, column: column, message: message))
  }

  @Test func depthLimit() throws {
    let limit = YAML.maximumDepth
    let deepestAllowed = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
    #expect(parseFailure(deepestAllowed) == nil)
    let flow = String(repeating: "[", count: limit + 44) + String(repeating: "]", count: limit + 44)
    #expect(parseFailure(flow) == YAMLError(line: 1, column: limit + 1, message: "collections are nested more than 256 levels deep"))
    let block = String(repeating: "- ", count: limit + 44) + "x\n"
    #expect(parseFailure(block) == YAMLError(line: 1, column: 2 * limit + 1, message: "collections are nested more than 256 levels deep"))
    var mappings = ""
    for level in 0...limit { mappings += String(repeating: " ", count: level) + "k:\n" }
    #expect(parseFailure(mappings) == YAMLError(line: limit + 1, column: limit + 1, message: "collections are nested more than 256 levels deep"))
  }

  /// "Billion laughs": each level multiplies the previous one by nine; the fourth level's
  /// first alias takes the document past 10 000 expanded nodes.
  @Test func aliasExpansionCap() {
    let yaml = """
      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
      b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
      c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
      d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
      e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
      f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
      """
    // Expansions: b 9×10, c 9×91, d 9×820 (8 289 in all); e's first *d adds 7 381.
    #expect(parseFailure(yaml) == YAMLError(line: 5, column: 8, message: "aliases expand to more than 10000 nodes"))
  }

  @Test(arguments: [
    ("%YAML 1.2\n---\na: 1\n", 1, 1, "directives (%YAML, %TAG) are not supported; remove the line"),
    ("{? : b}", 1, 2, "a mapping key cannot be null"),
    ("[? ]", 1, 2, "a mapping key cannot be null"),
    ("a: ? b\n", 1, 4, "an explicit key ('? ') must start its own line or flow entry"),
    ("? [a]\n: b\n", 1, 3, "collections cannot be used as mapping keys"),
    ("?\n: b\n", 1, 2, "a mapping key cannot be null"),
    ("? a\n: 1\na: 2\n", 3, 1, "duplicate key 'a'"),
    ("[a]: b\n", 1, 4, "collections cannot be used as mapping keys"),
    ("{[a]: b}", 1, 2, "collections cannot be used as mapping keys"),
    ("~: x\n", 1, 1, "a mapping key cannot be null"),
    (": x\n", 1, 1, "a mapping key cannot be null"),
    ("{: x}", 1, 2, "a mapping key cannot be null"),
    ("a: b: c\n", 1, 5, "a mapping value is not allowed here (a key must start its own line; quote values containing ': ')"),
    ("--- a: b\n", 1, 6, "a mapping value is not allowed here (a key must start its own line; quote values containing ': ')"),
    ("a: - b\n", 1, 4, "a block sequence cannot start on the same line as a mapping key"),
    ("a: [- b]\n", 1, 5, "block sequence entries are not allowed inside flow collections"),
    ("a: [|\n x]\n", 1, 5, "block scalars are not allowed inside flow collections"),
    ("a: \"x\" y\n", 1, 8, "unexpected 'y' after a value on the same line"),
    ("a: @x\n", 1, 4, "'@' cannot start a plain scalar; quote the value"),
    ("a: \"\\q\"\n", 1, 5, "invalid escape sequence '\\q'"),
    ("a: \"\\x4\"\n", 1, 5, "invalid escape sequence: expected 2 hexadecimal digits"),
    ("a: \"\\uD800\"\n", 1, 5, "invalid Unicode escape: U+D800 is not a character"),
    ("a: \"\\U00110000\"\n", 1, 5, "invalid Unicode escape: U+110000 is not a character"),
    ("a: |x\n", 1, 5, "invalid block scalar header: unexpected 'x'"),
    ("a: |0\n", 1, 5, "a block scalar's indentation indicator must be between 1 and 9"),
    ("a: |\n\n    \n  b\n", 3, 1, "a leading empty line of a block scalar is indented more than its first line"),
    ("a: 1\n... x\n", 2, 5, "unexpected content after the document end marker '...'"),
    ("a: &x &y 1\n", 1, 7, "a node can have only one anchor"),
    ("a: !!str !!int 1\n", 1, 10, "a node can have only one tag"),
    ("a: 1\u{0}\n", 1, 5, "NUL characters are not allowed in YAML"),
  ])
  func unsupportedOrMalformedConstructs(yaml: String, line: Int, column: Int, message: String) {
    #expect(parseFailure(yaml) == YAMLError(line: line, column: column, message: message))
  }

  @Test func parseRefusesASecondDocument() throws {
    #expect(throws: YAMLError(line: 3, column: 1, message: "expected a single document but the stream holds more; use parseDocuments")) {
      try YAML.parse("a: 1\n# next\n---\nb: 2\n")
    }
    #expect(try YAML.parseDocuments("a: 1\n# next\n---\nb: 2\n").count == 2)
  }

  @Test func columnsCountCharactersNotBytes() {
    #expect(parseFailure("héllo: wörld\nnaïve: *missing\n") == YAMLError(line: 2, column: 8, message: "alias '*missing' refers to an undefined anchor"))
    #expect(parseFailure("ключ: [1, 2\n") == YAMLError(line: 1, column: 7, message: "unclosed flow sequence: expected ']'"))
  }
}
