import KcdJSON
import KcdYAML
import Testing

/// Block and flow collections, anchors, aliases and merge keys.
@Suite struct CollectionTests {
  // MARK: Block collections

  @Test func anyConsistentIndentationWorks() throws {
    let yaml = """
      one:
       two:
             three: 3
       four:
          - a
          -   b
          -
              c
      five:
      - x
      -   - nested
          - list
      -   key: v
          other: w
      """
    try expectYAML(yaml, #"""
      {"one": {"two": {"three": 3}, "four": ["a", "b", "c"]},
       "five": ["x", ["nested", "list"], {"key": "v", "other": "w"}]}
      """#)
  }

  @Test func compactAndSameIndentSequences() throws {
    let yaml = """
      - - a
        - b
      - - - deep
      - name: first
        args:
        - x
        - y
        env:
          - name: A
      - key:
        - same indent as key
      -
      - # comment only: empty entry
      - last
      """
    try expectYAML(yaml, #"""
      [["a", "b"], [["deep"]],
       {"name": "first", "args": ["x", "y"], "env": [{"name": "A"}]},
       {"key": ["same indent as key"]}, null, null, "last"]
      """#)
  }

  @Test func emptyValuesCommentsAndSpacing() throws {
    let yaml = """
      # leading comment
      empty:
      also empty:   # comment
      spaced   :   value
      tabbed:\tvalue\t# comment after a tab
      "quoted key": 1
      'single key': 2
      nested:

        # comment between key and value

        inner: x
      last:
      """
    try expectYAML(yaml, #"""
      {"empty": null, "also empty": null, "spaced": "value", "tabbed": "value",
       "quoted key": 1, "single key": 2, "nested": {"inner": "x"}, "last": null}
      """#)
  }

  /// `? key` entries, which emitters write for long or multi-line keys; spec example 5.3
  /// and the block forms of example 8.17.
  @Test func explicitKeys() throws {
    let yaml = """
      sequence:
      - one
      - two
      mapping:
        ? sky
        : blue
        sea : green
      ? |
        block key
      : - one # Explicit compact
        - two # block value
      ? explicit key # Empty value
      ? 1.5
      :
      - same indent
      - as key
      in sequence:
      - ? a
        : b
        c: d
      """
    try expectYAML(yaml, #"""
      {"sequence": ["one", "two"], "mapping": {"sky": "blue", "sea": "green"},
       "block key\n": ["one", "two"], "explicit key": null, "1.5": ["same indent", "as key"],
       "in sequence": [{"a": "b", "c": "d"}]}
      """#)
  }

  // MARK: Flow collections

  @Test func flowCollections() throws {
    let yaml = """
      empty: [[], {}, [ ], { }]
      nested: {a: 1, b: [x, y], c: {d: [true, null, ~]}}
      trailing: [one, two, ]
      json: {"adjacent":value, "list":[1,2], 'single': "x"}
      keysOnly: {a, b: , c}
      pairs: [a: 1, "b": 2, plain]
      urls: [http://example.com:80/x, a:b, ::c]
      explicit: {? '' : empty, ? "two
        lines" : x, ? bare}
      explicitPair: [? a : b, ? c]
      multi: [
        spans,
        lines, # comment
        {k: v,
         k2: w},
      ]
      """
    try expectYAML(yaml, #"""
      {"empty": [[], {}, [], {}],
       "nested": {"a": 1, "b": ["x", "y"], "c": {"d": [true, null, null]}},
       "trailing": ["one", "two"],
       "json": {"adjacent": "value", "list": [1, 2], "single": "x"},
       "keysOnly": {"a": null, "b": null, "c": null},
       "pairs": [{"a": 1}, {"b": 2}, "plain"],
       "urls": ["http://example.com:80/x", "a:b", "::c"],
       "explicit": {"": "empty", "two lines": "x", "bare": null}, "explicitPair": [{"a": "b"}, {"c": null}],
       "multi": ["spans", "lines", {"k": "v", "k2": "w"}]}
      """#)
  }

  /// Spec example 7.14: every flow node kind inside one sequence, with multi-line scalars.
  @Test func flowSequenceEntries() throws {
    let yaml = """
      [
      "double
       quoted", 'single
                 quoted',
      plain
       text, [ nested ],
      single: pair,
      ]
      """
    try expectYAML(yaml, #"["double quoted", "single quoted", "plain text", ["nested"], {"single": "pair"}]"#)
  }

  @Test func closingBracketMayReturnToTheParentIndentation() throws {
    try expectYAML("args: [\n    \"a\",\n    \"b\"\n]\nenv: {\n  A: 1\n}\n", #"{"args": ["a", "b"], "env": {"A": 1}}"#)
  }

  /// YAML 1.2 wants the lines of a multi-line quoted scalar or flow collection indented
  /// deeper than the parent; libyaml (so kubectl) does not check, and neither does kcd.
  @Test func lessIndentedContinuationLinesAreAcceptedLikeLibyaml() throws {
    let yaml = """
      metadata:
        annotations:
          config: '{
        "a": 1,
      "b": [2]
      }'
          note: "wrapped
      by hand"
        args: [--a,
      --b]
      """
    try expectYAML(yaml, #"{"metadata": {"annotations": {"config": "{ \"a\": 1, \"b\": [2] }", "note": "wrapped by hand"}, "args": ["--a", "--b"]}}"#)
  }

  // MARK: Anchors, aliases, merge keys

  @Test func anchorsAndAliases() throws {
    let yaml = """
      base: &base
        image: nginx
        ports: [80, 443]
      copy: *base
      list: [&x 1, *x, *x]
      &k key: v
      keyAlias: *k
      seq: &s
      - a
      seqAlias: *s
      empty: &e
      emptyAlias: *e
      first: &name Foo
      override: &name Bar
      reuse: *name
      """
    try expectYAML(yaml, #"""
      {"base": {"image": "nginx", "ports": [80, 443]}, "copy": {"image": "nginx", "ports": [80, 443]},
       "list": [1, 1, 1], "key": "v", "keyAlias": "key", "seq": ["a"], "seqAlias": ["a"],
       "empty": null, "emptyAlias": null, "first": "Foo", "override": "Bar", "reuse": "Bar"}
      """#)
  }

  @Test func mergeKeys() throws {
    let yaml = """
      defaults: &defaults
        adapter: postgres
        host: localhost
        pool: 5
      extra: &extra
        pool: 20
        timeout: 30
      development:
        database: dev
        <<: *defaults
        pool: 10
      layered:
        <<: [*extra, *defaults]
      inline:
        <<: {a: 1, b: 2}
        b: 3
      flow: {<<: *extra, timeout: 1}
      literal:
        "<<": not a merge
      """
    try expectYAML(yaml, #"""
      {"defaults": {"adapter": "postgres", "host": "localhost", "pool": 5},
       "extra": {"pool": 20, "timeout": 30},
       "development": {"database": "dev", "adapter": "postgres", "host": "localhost", "pool": 10},
       "layered": {"pool": 20, "timeout": 30, "adapter": "postgres", "host": "localhost"},
       "inline": {"a": 1, "b": 3},
       "flow": {"pool": 20, "timeout": 1},
       "literal": {"<<": "not a merge"}}
      """#)
  }

  @Test func aliasesWithinTheExpansionCapAreFine() throws {
    var yaml = "a: &a [" + Array(repeating: "x", count: 99).joined(separator: ", ") + "]\nb: ["
    yaml += Array(repeating: "*a", count: 99).joined(separator: ", ") + "]\n"
    let value = try YAML.parse(yaml)
    #expect(value["b"].arrayValue?.count == 99)
    #expect(value["b"][98] == value["a"])
  }
}
