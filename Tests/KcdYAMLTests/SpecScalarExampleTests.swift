import KcdJSON
import KcdYAML
import Testing

/// YAML 1.2 chapter 2, examples 2.13–2.28 (scalars, tags, full documents). Those outside the
/// supported subset (null keys, `%TAG`, custom and `!!binary`/`!!set`/`!!omap` tags) are
/// checked to fail clearly instead.
@Suite struct SpecScalarExampleTests {
  @Test func example2_13LiteralNewlinesArePreserved() throws {
    let yaml = #"""
      # ASCII Art
      --- |
        \//||\/||
        // ||  ||__

      """#
    try expectYAML(yaml, #""\\//||\\/||\n// ||  ||__\n""#)
  }

  @Test func example2_14FoldedNewlinesBecomeSpaces() throws {
    let yaml = """
      --- >
        Mark McGwire's
        year was crippled
        by a knee injury.

      """
    try expectYAML(yaml, #""Mark McGwire's year was crippled by a knee injury.\n""#)
  }

  @Test func example2_15FoldedKeepsMoreIndentedAndBlankLines() throws {
    let yaml = """
      >
       Sammy Sosa completed another
       fine season with great stats.

         63 Home Runs
         0.288 Batting Average

       What a year!

      """
    try expectYAML(yaml, #""Sammy Sosa completed another fine season with great stats.\n\n  63 Home Runs\n  0.288 Batting Average\n\nWhat a year!\n""#)
  }

  @Test func example2_16IndentationDeterminesScope() throws {
    let yaml = """
      name: Mark McGwire
      accomplishment: >
        Mark set a major league
        home run record in 1998.
      stats: |
        65 Home Runs
        0.278 Batting Average

      """
    try expectYAML(yaml, #"""
      {"name": "Mark McGwire",
       "accomplishment": "Mark set a major league home run record in 1998.\n",
       "stats": "65 Home Runs\n0.278 Batting Average\n"}
      """#)
  }

  @Test func example2_17QuotedScalars() throws {
    let yaml = #"""
      unicode: "Sosa did fine.\u263A"
      control: "\b1998\t1999\t2000\n"
      hex esc: "\x0d\x0a is \r\n"

      single: '"Howdy!" he cried.'
      quoted: ' # Not a ''comment''.'
      tie-fighter: '|\-*-/|'
      """#
    try expectYAML(yaml, #"""
      {"unicode": "Sosa did fine.\u263A",
       "control": "\b1998\t1999\t2000\n",
       "hex esc": "\r\n is \r\n",
       "single": "\"Howdy!\" he cried.",
       "quoted": " # Not a 'comment'.",
       "tie-fighter": "|\\-*-/|"}
      """#)
  }

  @Test func example2_18MultiLineFlowScalars() throws {
    let yaml = #"""
      plain:
        This unquoted scalar
        spans many lines.

      quoted: "So does this
        quoted scalar.\n"
      """#
    try expectYAML(yaml, #"{"plain": "This unquoted scalar spans many lines.", "quoted": "So does this quoted scalar.\n"}"#)
  }

  @Test func example2_19Integers() throws {
    let yaml = """
      canonical: 12345
      decimal: +12345
      octal: 0o14
      hexadecimal: 0xC
      """
    try expectYAML(yaml, #"{"canonical": 12345, "decimal": 12345, "octal": 12, "hexadecimal": 12}"#)
  }

  @Test func example2_20FloatingPoint() throws {
    let yaml = """
      canonical: 1.23015e+3
      exponential: 12.3015e+02
      fixed: 1230.15
      negative infinity: -.inf
      not a number: .NaN
      """
    let value = try YAML.parse(yaml)
    #expect(identical(value["canonical"], .double(1230.15)))
    #expect(identical(value["exponential"], .double(1230.15)))
    #expect(identical(value["fixed"], .double(1230.15)))
    #expect(identical(value["negative infinity"], .double(-.infinity)))
    #expect(value["not a number"].doubleValue?.isNaN == true)
    #expect(value.objectValue?.count == 5)
  }

  /// The example's `null:` key is the null value, which has no JSON key form, so it is
  /// refused; the rest of the example parses.
  @Test func example2_21Miscellaneous() throws {
    let yaml = """
      null:
      booleans: [ true, false ]
      string: '012345'
      """
    #expect(parseFailure(yaml) == YAMLError(line: 1, column: 1, message: "a mapping key cannot be null"))
    try expectYAML("'null':\nbooleans: [ true, false ]\nstring: '012345'\n", #"{"null": null, "booleans": [true, false], "string": "012345"}"#)
  }

  /// The core schema has no timestamp type: these stay strings.
  @Test func example2_22Timestamps() throws {
    let yaml = """
      canonical: 2001-12-15T02:59:43.1Z
      iso8601: 2001-12-14t21:59:43.10-05:00
      spaced: 2001-12-14 21:59:43.10 -5
      date: 2002-12-14
      """
    try expectYAML(yaml, #"""
      {"canonical": "2001-12-15T02:59:43.1Z", "iso8601": "2001-12-14t21:59:43.10-05:00",
       "spaced": "2001-12-14 21:59:43.10 -5", "date": "2002-12-14"}
      """#)
  }

  @Test func example2_23ExplicitTagsBeyondTheCoreSchemaAreRefused() {
    let yaml = """
      ---
      not-date: !!str 2002-04-28

      picture: !!binary |
       R0lGODlhDAAMAIQAAP//9/X
       17unp5WZmZgAAAOfn515eXv
       Pz7Y6OjuDg4J+fn5OTk6enp
       56enmleECcgggoBADs=
      """
    #expect(parseFailure(yaml) == YAMLError(line: 4, column: 10, message: "unsupported tag '!!binary'"))
    #expect(parseFailure("application specific tag: !something |\n The semantics\n") == YAMLError(line: 1, column: 27, message: "unsupported tag '!something'"))
  }

  @Test func examples2_24To2_26DirectivesAndCollectionTagsAreRefused() {
    #expect(parseFailure("%TAG ! tag:clarkevans.com,2002:\n--- !shape\n- !circle\n") == YAMLError(line: 1, column: 1, message: "directives (%YAML, %TAG) are not supported; remove the line"))
    #expect(parseFailure("# Sets\n--- !!set\n? Mark McGwire\n") == YAMLError(line: 2, column: 5, message: "unsupported tag '!!set'"))
    #expect(parseFailure("# Ordered maps\n--- !!omap\n- Mark McGwire: 65\n") == YAMLError(line: 2, column: 5, message: "unsupported tag '!!omap'"))
  }

  static let invoiceBody = """
    invoice: 34843
    date   : 2001-01-23
    bill-to: &id001
        given  : Chris
        family : Dumars
        address:
            lines: |
                458 Walkman Dr.
                Suite #292
            city    : Royal Oak
            state   : MI
            postal  : 48046
    ship-to: *id001
    product:
        - sku         : BL394D
          quantity    : 4
          description : Basketball
          price       : 450.00
        - sku         : BL4438H
          quantity    : 1
          description : Super Hoop
          price       : 2392.00
    tax  : 251.42
    total: 4443.52
    comments:
        Late afternoon is best.
        Backup contact is Nancy
        Billsmer @ 338-4338.
    """

  /// The invoice's custom global tag is refused; without it the body parses.
  @Test func example2_27Invoice() throws {
    #expect(parseFailure("--- !<tag:clarkevans.com,2002:invoice>\n" + Self.invoiceBody) == YAMLError(line: 1, column: 5, message: "unsupported tag '!<tag:clarkevans.com,2002:invoice>'"))
    let address = #"{"given": "Chris", "family": "Dumars", "address": {"lines": "458 Walkman Dr.\nSuite #292\n", "city": "Royal Oak", "state": "MI", "postal": 48046}}"#
    try expectYAML("---\n" + Self.invoiceBody, """
      {"invoice": 34843, "date": "2001-01-23", "bill-to": \(address), "ship-to": \(address),
       "product": [
         {"sku": "BL394D", "quantity": 4, "description": "Basketball", "price": 450.0},
         {"sku": "BL4438H", "quantity": 1, "description": "Super Hoop", "price": 2392.0}],
       "tax": 251.42, "total": 4443.52,
       "comments": "Late afternoon is best. Backup contact is Nancy Billsmer @ 338-4338."}
      """)
  }

  @Test func example2_28LogFile() throws {
    let yaml = #"""
      ---
      Time: 2001-11-23 15:01:42 -5
      User: ed
      Warning:
        This is an error message
        for the log file
      ---
      Time: 2001-11-23 15:02:31 -5
      User: ed
      Warning:
        A slightly different error
        message.
      ---
      Date: 2001-11-23 15:03:17 -5
      User: ed
      Fatal:
        Unknown variable "bar"
      Stack:
        - file: TopClass.py
          line: 23
          code: |
            x = MoreObject("345\n")
        - file: MoreClass.py
          line: 58
          code: |-
            foo = bar
      """#
    try expectYAMLDocuments(yaml, #"""
      [{"Time": "2001-11-23 15:01:42 -5", "User": "ed", "Warning": "This is an error message for the log file"},
       {"Time": "2001-11-23 15:02:31 -5", "User": "ed", "Warning": "A slightly different error message."},
       {"Date": "2001-11-23 15:03:17 -5", "User": "ed", "Fatal": "Unknown variable \"bar\"",
        "Stack": [
          {"file": "TopClass.py", "line": 23, "code": "x = MoreObject(\"345\\n\")\n"},
          {"file": "MoreClass.py", "line": 58, "code": "foo = bar"}]}]
      """#)
  }
}
