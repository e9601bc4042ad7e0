import KcdJSON
import KcdYAML
import Testing

/// Exact equality: `JSON ==` treats `1` and `1.0` as equal, but choosing between an integer
/// and a double is part of the parser's job, so the tests compare the cases as well.
func identical(_ a: JSON, _ b: JSON) -> Bool {
  switch (a, b) {
  case (.null, .null): return true
  case let (.bool(x), .bool(y)): return x == y
  case let (.int(x), .int(y)): return x == y
  case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
  case let (.string(x), .string(y)): return x == y
  case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
  case let (.object(x), .object(y)):
    return x.count == y.count && x.allSatisfy { key, value in y[key].map { identical(value, $0) } ?? false }
  default: return false
  }
}

/// Checks that `yaml` (one document) reads as the JSON text `expectedJSON`.
func expectYAML(_ yaml: String, _ expectedJSON: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
  let expected = try JSON.parse(expectedJSON)
  let actual = try YAML.parse(yaml)
  #expect(actual == expected, sourceLocation: sourceLocation)
  #expect(identical(actual, expected), "int/double kinds differ: \(actual.text)", sourceLocation: sourceLocation)
}

/// Checks that the stream `yaml` reads as the documents in the JSON array text `expectedJSON`.
func expectYAMLDocuments(_ yaml: String, _ expectedJSON: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
  let expected = try JSON.parse(expectedJSON)
  let actual = JSON.array(try YAML.parseDocuments(yaml))
  #expect(actual == expected, sourceLocation: sourceLocation)
  #expect(identical(actual, expected), "int/double kinds differ: \(actual.text)", sourceLocation: sourceLocation)
}

/// The error a stream is refused with, or nil when it parses.
func parseFailure(_ yaml: String) -> YAMLError? {
  do {
    _ = try YAML.parseDocuments(yaml)
    return nil
  } catch {
    return error
  }
}
