import KcdJSON
import Testing

@testable import KubeSim

@Suite struct StructuralSchemaStructureTests {
  static let root = "openAPIV3Schema"

  static let rejected: [(String, [String])] = [
    (#"{"properties": {}}"#, ["\(root).type: Required value: must not be empty at the root"]),
    (#"{"type": "array", "items": {"type": "string"}}"#, [#"\#(root).type: Invalid value: "array": must be object at the root"#]),
    (#"{"type": "object", "properties": {"spec": {"properties": {"a": {"type": "string"}}}}}"#,
     ["\(root).properties[spec].type: Required value: must not be empty for specified object fields"]),
    (#"{"type": "object", "properties": {"list": {"type": "array", "items": {"properties": {}}}}}"#,
     ["\(root).properties[list].items.type: Required value: must not be empty for specified array items"]),
    (#"{"type": "object", "properties": {"list": {"type": "array"}}}"#,
     ["\(root).properties[list].items: Required value: must be specified"]),
    (#"{"type": "object", "properties": {"a": {"type": "str"}}}"#,
     [#"\#(root).properties[a].type: Unsupported value: "str": supported values: "array", "boolean", "integer", "number", "object", "string""#]),
    (#"{"type": "object", "properties": {"a": {"type": "object", "$ref": "other.json"}}}"#,
     ["\(root).properties[a].$ref: Forbidden: $ref is not supported"]),
    (#"{"type": "object", "definitions": {}}"#, ["\(root).definitions: Forbidden: definitions is not supported"]),
    (#"{"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false}"#,
     ["\(root).additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"]),
    (#"{"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}}"#,
     ["\(root).additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"]),
    (#"{"type": "object", "x-kubernetes-preserve-unknown-fields": false}"#,
     ["\(root).x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined"]),
    (#"{"type": "object", "properties": {"a": {"type": "array", "uniqueItems": true, "items": {"type": "string"}}}}"#,
     ["\(root).properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic"]),
    (#"{"type": "object", "properties": {"a": {"type": "array", "items": [{"type": "string"}]}}}"#,
     ["\(root).properties[a].items: Forbidden: items must be a schema object and not an array"]),
    (#"{"type": "object", "properties": {"a": "string"}}"#, [#"\#(root).properties[a]: Invalid value: "string": must be a schema object"#]),
    (#"{"type": "object", "properties": {"a": {"type": "integer", "minimum": "1"}}}"#,
     [#"\#(root).properties[a].minimum: Invalid value: "1": must be a number"#]),
    (#"{"type": "object", "properties": {"a": {"type": "string", "maxLength": -1}}}"#,
     ["\(root).properties[a].maxLength: Invalid value: -1: must be a non-negative integer"]),
    (#"{"type": "object", "properties": {"a": {"type": "string", "anyOf": [{"type": "string"}, {"default": "x"}]}}}"#,
     ["\(root).properties[a].anyOf[0].type: Forbidden: must be empty to be structural",
      "\(root).properties[a].anyOf[1].default: Forbidden: must be empty to be structural"]),
    (#"{"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "string"}}, "not": {"properties": {"b": {"nullable": true}}}}}}"#,
     ["\(root).properties[a].not.properties[b].nullable: Forbidden: must be empty to be structural"]),
    (#"{"type": "object", "properties": {"p": {"type": "integer", "x-kubernetes-int-or-string": true}}}"#,
     [#"\#(root).properties[p].type: Invalid value: "integer": must be empty if x-kubernetes-int-or-string is true"#]),
    (#"{"type": "object", "properties": {"t": {"type": "object", "x-kubernetes-embedded-resource": true}}}"#,
     ["\(root).properties[t].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"]),
    (#"{"type": "object", "properties": {"metadata": {"type": "object", "properties": {"labels": {"type": "object"}}}}}"#,
     ["\(root).properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"]),
    (#"{"type": "object", "properties": {"a": {"type": "integer", "default": "x"}}}"#,
     [#"\#(root).properties[a].default: Invalid value: "x": default in body must be of type integer: "string""#]),
    (#"{"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "string"}}, "default": {"b": 1}}}}"#,
     [#"\#(root).properties[a].default.b: Invalid value: 1: default.b in body must be of type string: "integer""#]),
    (#"{"type": "object", "properties": {"a": {"type": "object", "properties": {"x": {"type": "string"}}, "default": {"y": 1}}}}"#,
     [#"\#(root).properties[a].default: Invalid value: {"y":1}: must not have unknown fields"#]),
  ]

  @Test(arguments: rejected)
  func refusesNonStructuralSchemas(_ schema: String, _ problems: [String]) {
    #expect(throws: SchemaError(problems)) { try StructuralSchema(StructuralSchemaTests.fixture(schema)) }
  }

  static let accepted: [String] = [
    #"{"type": "object"}"#,
    #"{"type": "object", "x-kubernetes-preserve-unknown-fields": true}"#,
    #"{"type": "object", "properties": {"port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]}}}"#,
    #"{"type": "object", "properties": {"free": {"x-kubernetes-preserve-unknown-fields": true}}}"#,
    #"{"type": "object", "properties": {"metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 20}}}}}"#,
    #"{"type": "object", "properties": {"m": {"type": "object", "additionalProperties": {"type": "string"}}}}"#,
    #"{"type": "object", "properties": {"a": {"type": "string", "nullable": true, "default": null}}}"#,
    #"{"type": "object", "properties": {"a": {"type": "string", "allOf": [{"minLength": 1}, {"pattern": "^x"}]}}}"#,
  ]

  @Test(arguments: accepted)
  func acceptsStructuralSchemas(_ schema: String) throws {
    _ = try StructuralSchema(StructuralSchemaTests.fixture(schema))
  }

  @Test func prefixesMessagesWithTheCallersPath() {
    let path = "spec.versions[0].schema.openAPIV3Schema"
    #expect(throws: SchemaError(["\(path).type: Required value: must not be empty at the root"])) {
      try StructuralSchema(StructuralSchemaTests.fixture("{}"), path: path)
    }
  }

  @Test func refusesSchemasNestedTooDeeply() {
    var schema: JSON = ["type": "string"]
    for _ in 0..<70 { schema = ["type": "object", "properties": ["a": schema]] }
    let deepest = Self.root + String(repeating: ".properties[a]", count: 65)
    #expect(throws: SchemaError(["\(deepest): Forbidden: schema nesting is deeper than 64 levels"])) {
      try StructuralSchema(schema)
    }
  }

  @Test func describesOneOrManyProblems() {
    #expect(SchemaError(["a: Required value"]).description == "a: Required value")
    #expect(SchemaError(["a: x", "b: y"]).description == "[a: x, b: y]")
  }

  @Test func survivesHostileValuesWithoutCrashing() throws {
    let schema = try StructuralSchema(StructuralSchemaTests.fixture(#"{"type": "object", "properties": {"n": {"type": "integer", "multipleOf": 3, "format": "int32"}}}"#))
    #expect(schema.validate(["n": .double(1e308)]) == [
      FieldError(field: "n", reason: "FieldValueTypeInvalid", message: #"Invalid value: 1e+308: n in body must be of type int32: "1e+308""#)
    ])
    #expect(schema.validate(["n": .double(.infinity)]) == [
      FieldError(field: "n", reason: "FieldValueTypeInvalid", message: #"Invalid value: inf: n in body must be of type integer: "number""#)
    ])
    #expect(schema.validate(["n": .double(-0.0)]) == [])
    #expect(schema.prune(["n": .int(Int64.min)]) == ["n": .int(Int64.min)])
  }
}
