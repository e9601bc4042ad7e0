import KcdJSON
import Testing

@testable import KubeSim

@Suite struct LabelSelectorTests {
  struct MatchCase: Sendable, CustomStringConvertible {
    let selector: String
    let labels: [String: String]
    let matches: Bool
    var description: String { "\(selector) ~ \(labels) -> \(matches)" }
  }

  static let matchCases: [MatchCase] = [
    .init(selector: "env=prod", labels: ["env": "prod"], matches: true),
    .init(selector: "env=prod", labels: ["env": "dev"], matches: false),
    .init(selector: "env=prod", labels: [:], matches: false),
    .init(selector: "env==prod", labels: ["env": "prod"], matches: true),
    .init(selector: "env==prod", labels: ["env": "qa"], matches: false),
    .init(selector: "env!=prod", labels: ["env": "dev"], matches: true),
    .init(selector: "env!=prod", labels: ["env": "prod"], matches: false),
    .init(selector: "env!=prod", labels: [:], matches: true),
    .init(selector: "env in (prod, dev)", labels: ["env": "dev"], matches: true),
    .init(selector: "env in (prod,dev)", labels: ["env": "qa"], matches: false),
    .init(selector: "env in (prod,dev)", labels: [:], matches: false),
    .init(selector: "env notin (prod,dev)", labels: ["env": "qa"], matches: true),
    .init(selector: "env notin (prod,dev)", labels: ["env": "prod"], matches: false),
    .init(selector: "env notin (prod,dev)", labels: [:], matches: true),
    .init(selector: "env", labels: ["env": ""], matches: true),
    .init(selector: "env", labels: ["app": "web"], matches: false),
    .init(selector: "!env", labels: ["app": "web"], matches: true),
    .init(selector: "!env", labels: ["env": "prod"], matches: false),
    .init(selector: "a=1,b=2", labels: ["a": "1", "b": "2"], matches: true),
    .init(selector: "a=1,b=2", labels: ["a": "1", "b": "3"], matches: false),
    .init(selector: "  a = 1 ,\t!b ", labels: ["a": "1"], matches: true),
    .init(selector: "  a = 1 ,\t!b ", labels: ["a": "1", "b": "x"], matches: false),
    .init(selector: "x>5", labels: ["x": "6"], matches: true),
    .init(selector: "x>5", labels: ["x": "5"], matches: false),
    .init(selector: "x>5", labels: ["x": "seven"], matches: false),
    .init(selector: "x<5", labels: ["x": "-1"], matches: true),
    .init(selector: "x<5", labels: [:], matches: false),
    .init(selector: "a=", labels: ["a": ""], matches: true),
    .init(selector: "a=", labels: ["a": "x"], matches: false),
    .init(selector: "a in (,x)", labels: ["a": ""], matches: true),
    .init(selector: "a in (x,)", labels: ["a": "y"], matches: false),
    .init(selector: "a in ()", labels: ["a": ""], matches: true),
    .init(selector: "in in (in,notin)", labels: ["in": "notin"], matches: true),
    .init(selector: "example.com/app=web", labels: ["example.com/app": "web"], matches: true),
    .init(selector: "app.kubernetes.io/name in (kcd)", labels: ["app.kubernetes.io/name": "other"], matches: false),
    .init(selector: "", labels: ["any": "thing"], matches: true),
  ]

  @Test(arguments: matchCases)
  func matchesLikeTheApiserver(_ testCase: MatchCase) throws {
    let selector = try LabelSelector(parsing: testCase.selector)
    #expect(selector.matches(testCase.labels) == testCase.matches)
  }

  static let nameRule =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
  static let valueRule =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
  static let operators = "in, notin, =, ==, !=, gt, lt"
  static let longName = String(repeating: "a", count: 64)

  static let errorCases: [(String, String)] = [
    ("!", "unable to parse requirement: found '', expected: identifier"),
    (",", "found ',', expected: !, identifier, or 'end of string'"),
    ("a,", "found '', expected: identifier after ','"),
    ("a,,b", "found ',', expected: identifier after ','"),
    ("a b", "unable to parse requirement: found 'b', expected: \(operators)"),
    ("a !b", "unable to parse requirement: found '!', expected: \(operators)"),
    ("a in", "unable to parse requirement: found '' expected: '('"),
    ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
    ("a in (b,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
    ("a=b c", "found 'c', expected: ',' or 'end of string'"),
    ("a=b=c", "found '=', expected: ',' or 'end of string'"),
    ("!a=b", "found '=', expected: ',' or 'end of string'"),
    ("a=(b)", "unable to parse requirement: found '(', expected: identifier"),
    ("x>a", "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer"),
    ("x<", "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer"),
    ("a$b=c", "unable to parse requirement: invalid label key \"a$b\": name part \(nameRule)"),
    ("-a", "unable to parse requirement: invalid label key \"-a\": name part \(nameRule)"),
    ("/a", "unable to parse requirement: invalid label key \"/a\": prefix part must be non-empty"),
    ("a/", "unable to parse requirement: invalid label key \"a/\": name part must be non-empty; name part \(nameRule)"),
    ("a/b/c", "unable to parse requirement: invalid label key \"a/b/c\": a qualified name \(nameRule) with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"),
    ("Example.com/a", "unable to parse requirement: invalid label key \"Example.com/a\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    (longName, "unable to parse requirement: invalid label key \"\(longName)\": name part must be no more than 63 characters"),
    ("a=b$", "unable to parse requirement: invalid label value: \"b$\": at key: \"a\": \(valueRule)"),
    ("a=\(longName)", "unable to parse requirement: invalid label value: \"\(longName)\": at key: \"a\": must be no more than 63 characters"),
    ("a in (ok,-bad)", "unable to parse requirement: invalid label value: \"-bad\": at key: \"a\": \(valueRule)"),
    ("é=1", "unable to parse requirement: invalid label key \"é\": name part \(nameRule)"),
  ]

  @Test(arguments: errorCases)
  func refusesInvalidSyntax(_ text: String, _ message: String) {
    #expect(throws: SelectorError(message)) { try LabelSelector(parsing: text) }
  }

  @Test func quotesControlCharactersInMessages() {
    #expect(throws: SelectorError("unable to parse requirement: invalid label value: \"a\\x00\": at key: \"k\": \(Self.valueRule)")) {
      try LabelSelector(parsing: "k=a\u{0}")
    }
  }

  @Test(arguments: [("", true), ("   ", true), ("a", false), ("!a", false)])
  func knowsWhenItSelectsEverything(_ text: String, _ everything: Bool) throws {
    #expect(try LabelSelector(parsing: text).isEverything == everything)
  }

  @Test func equalityIgnoresRequirementOrderAndValueOrder() throws {
    #expect(try LabelSelector(parsing: "a=1,b in (y,x)") == LabelSelector(parsing: "b in (x,y,x),a==1"))
    #expect(try LabelSelector(parsing: "a=1") != LabelSelector(parsing: "a!=1"))
  }

  @Test func describesItselfInCanonicalText() throws {
    let selector = try LabelSelector(parsing: "z notin (b,a), !gone, x>3, y<4, has, a==1, b!=2, c in (q)")
    #expect(selector.description == "a=1,b!=2,c in (q),!gone,has,x>3,y<4,z notin (a,b)")
    #expect(try LabelSelector(parsing: selector.description) == selector)
  }

  @Test func buildsFromMatchLabelsAndExpressions() {
    let selector = LabelSelector(
      matchLabels: ["app": "web"],
      matchExpressions: [
        ["key": "tier", "operator": "In", "values": ["front", "edge"]],
        ["key": "env", "operator": "NotIn", "values": ["dev"]],
        ["key": "owner", "operator": "Exists"],
        ["key": "legacy", "operator": "DoesNotExist"],
      ])
    #expect(selector.matches(["app": "web", "tier": "edge", "owner": "me"]))
    #expect(!selector.matches(["app": "web", "tier": "edge", "owner": "me", "env": "dev"]))
    #expect(!selector.matches(["app": "web", "tier": "back", "owner": "me"]))
    #expect(!selector.matches(["app": "web", "tier": "edge"]))
    #expect(!selector.matches(["app": "web", "tier": "edge", "owner": "me", "legacy": "1"]))
    #expect(!selector.matches(["app": "api", "tier": "edge", "owner": "me"]))
    #expect(selector.description == "app=web,env notin (dev),!legacy,owner,tier in (edge,front)")
  }

  @Test func malformedObjectSelectorMatchesNothing() {
    let selector = LabelSelector(matchLabels: [:], matchExpressions: [["key": "a", "operator": "Gt", "values": ["1"]]])
    #expect(selector == .nothing)
    #expect(!selector.matches(["a": "2"]))
    #expect(!selector.isEverything)
  }

  @Test func emptyObjectSelectorMatchesEverything() throws {
    #expect(LabelSelector(matchLabels: [:], matchExpressions: []).isEverything)
    #expect(try LabelSelector.fromJSON([:]).isEverything)
    #expect(try LabelSelector.fromJSON(["matchLabels": [:], "matchExpressions": []]).matches([:]))
  }

  @Test func nullObjectSelectorMatchesNothing() throws {
    let selector = try LabelSelector.fromJSON(nil)
    #expect(!selector.matches([:]))
    #expect(!selector.isEverything)
  }

  @Test func readsSelectorJSON() throws {
    let selector = try LabelSelector.fromJSON(
      ["matchLabels": ["app": "web"], "matchExpressions": [["key": "tier", "operator": "In", "values": ["a"]]]])
    #expect(selector == (try LabelSelector(parsing: "app=web,tier in (a)")))
  }

  static let objectErrors: [(JSON, String)] = [
    ("app=web", "label selector must be an object"),
    (["matchLabels": ["app": 1]], "matchLabels[app]: value must be a string"),
    (["matchLabels": ["a"]], "matchLabels must be an object"),
    (["matchExpressions": ["key": "a"]], "matchExpressions must be an array"),
    (["matchExpressions": ["a"]], "matchExpressions entries must be objects"),
    (["matchExpressions": [["operator": "Exists"]]], "matchExpressions key must be a string"),
    (["matchExpressions": [["key": "a", "operator": "Gt", "values": ["1"]]]], "\"Gt\" is not a valid label selector operator"),
    (["matchExpressions": [["key": "a", "operator": "In"]]], "for 'in', 'notin' operators, values set can't be empty"),
    (["matchExpressions": [["key": "a", "operator": "NotIn", "values": []]]], "for 'in', 'notin' operators, values set can't be empty"),
    (["matchExpressions": [["key": "a", "operator": "Exists", "values": ["x"]]]], "values set must be empty for exists and does not exist"),
    (["matchExpressions": [["key": "a", "operator": "In", "values": [1]]]], "matchExpressions values must be strings"),
    (["matchExpressions": [["key": "a", "operator": "In", "values": "x"]]], "matchExpressions values must be an array"),
    (["matchLabels": ["a b": "x"]], "invalid label key \"a b\": name part \(nameRule)"),
    (["matchLabels": ["a": "x y"]], "invalid label value: \"x y\": at key: \"a\": \(valueRule)"),
  ]

  @Test(arguments: objectErrors)
  func refusesMalformedSelectorObjects(_ json: JSON, _ message: String) {
    #expect(throws: SelectorError(message)) { try LabelSelector.fromJSON(json) }
  }
}
