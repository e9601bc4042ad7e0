import Testing

@testable import KubeSim

@Suite struct FieldSelectorTests {
  /// Renders requirements as `field<op>value` with the value unescaped, for exact comparison.
  static func terms(_ selector: FieldSelector) -> [String] {
    selector.requirements.map { "\($0.field)\($0.op == .equals ? "=" : "!=")\($0.value)" }
  }

  static let parseCases: [(String, [String])] = [
    ("", []),
    ("metadata.name=web", ["metadata.name=web"]),
    ("metadata.name==web", ["metadata.name=web"]),
    ("status.phase!=Running", ["status.phase!=Running"]),
    ("metadata.namespace=kcd,spec.nodeName!=", ["metadata.namespace=kcd", "spec.nodeName!="]),
    ("a=,", ["a="]),
    (",a=b,,c=d", ["a=b", "c=d"]),
    ("a=x\\,y", ["a=x,y"]),
    ("a=x\\=y", ["a=x=y"]),
    ("a=x\\\\y", ["a=x\\y"]),
    ("a=x\\\\,b=y", ["a=x\\", "b=y"]),
    ("a==\\=", ["a=="]),
  ]

  @Test(arguments: parseCases)
  func parsesTerms(_ text: String, _ expected: [String]) throws {
    #expect(Self.terms(try FieldSelector(parsing: text)) == expected)
  }

  static let errorCases: [(String, String)] = [
    ("abc", "invalid selector: 'abc'; can't understand 'abc'"),
    ("a=b,name", "invalid selector: 'a=b,name'; can't understand 'name'"),
    ("a=b=c", "invalid field selector: unescaped character in value: ="),
    ("a!==b", "invalid field selector: unescaped character in value: ="),
    ("a=x\\y", "invalid field selector: invalid escape sequence: \\y"),
    ("a=x\\", "invalid field selector: invalid escape sequence: \\"),
  ]

  @Test(arguments: errorCases)
  func refusesInvalidSyntax(_ text: String, _ message: String) {
    #expect(throws: SelectorError(message)) { try FieldSelector(parsing: text) }
  }

  static let fields: [String: String] = ["metadata.name": "web", "status.phase": "Running", "spec.nodeName": ""]

  static let matchCases: [(String, Bool)] = [
    ("", true),
    ("metadata.name=web", true),
    ("metadata.name==api", false),
    ("metadata.name!=api", true),
    ("metadata.name!=web", false),
    ("metadata.name=web,status.phase=Running", true),
    ("metadata.name=web,status.phase!=Running", false),
    ("spec.nodeName=", true),
    ("metadata.namespace=", true),
    ("metadata.namespace!=", false),
    ("metadata.namespace=kcd", false),
  ]

  @Test(arguments: matchCases)
  func matchesFieldValues(_ text: String, _ expected: Bool) throws {
    let selector = try FieldSelector(parsing: text)
    #expect(selector.matches { Self.fields[$0] } == expected)
  }

  @Test func matchesEscapedValues() throws {
    let selector = try FieldSelector(parsing: "metadata.name=a\\,b\\=c\\\\d")
    #expect(selector.matches { $0 == "metadata.name" ? "a,b=c\\d" : nil })
    #expect(!selector.matches { $0 == "metadata.name" ? "a,b=c\\\\d" : nil })
  }

  @Test func reportsTheFirstUnsupportedField() throws {
    let allowed: Set<String> = ["metadata.name", "metadata.namespace"]
    #expect(try FieldSelector(parsing: "metadata.name=a,metadata.namespace!=b").unsupportedField(allowed: allowed) == nil)
    #expect(try FieldSelector(parsing: "metadata.name=a,spec.x=1,spec.y=2").unsupportedField(allowed: allowed) == "spec.x")
    #expect(try FieldSelector(parsing: " metadata.name=a").unsupportedField(allowed: allowed) == " metadata.name")
  }

  @Test func everythingOnlyWhenEmpty() throws {
    #expect(try FieldSelector(parsing: "").isEverything)
    #expect(try FieldSelector(parsing: ",").isEverything)
    #expect(!(try FieldSelector(parsing: "a=b").isEverything))
  }

  @Test func describesItselfWithEscapes() throws {
    let selector = try FieldSelector(parsing: "a==x\\,y,b!=\\\\")
    #expect(selector.description == "a=x\\,y,b!=\\\\")
    #expect(Self.terms(try FieldSelector(parsing: selector.description)) == Self.terms(selector))
  }
}
