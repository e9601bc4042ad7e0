import KcdJSON
import Testing

@testable import KubeSim

@Suite struct StructuralSchemaTests {
  /// Parses a fixture; a typo shows up as a failing comparison rather than a crash.
  static func fixture(_ text: String) -> JSON { (try? JSON.parse(text)) ?? .string("unparseable fixture: " + text) }

  static let schemaJSON = Self.fixture(#"""
    {
      "type": "object",
      "required": ["spec"],
      "properties": {
        "spec": {
          "type": "object",
          "required": ["imageRepo"],
          "properties": {
            "imageRepo": {"type": "string", "minLength": 3, "maxLength": 20, "pattern": "^[a-z0-9./-]+$"},
            "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
            "strategy": {"type": "string", "enum": ["semver", "numeric"], "default": "semver"},
            "level": {"type": "integer", "enum": [1, 2]},
            "mode": {"type": "string", "default": "auto"},
            "logLevel": {"type": "string", "nullable": true, "default": "info"},
            "note": {"type": "string", "nullable": true},
            "weight": {"type": "number"},
            "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true, "multipleOf": 0.25},
            "big": {"type": "integer", "format": "int32"},
            "huge": {"type": "integer", "format": "int64"},
            "enabled": {"type": "boolean"},
            "port": {"x-kubernetes-int-or-string": true},
            "rollback": {
              "type": "object",
              "properties": {"enabled": {"type": "boolean", "default": true}, "timeout": {"type": "integer", "default": 30}}
            },
            "window": {"type": "object", "default": {}, "properties": {"size": {"type": "integer", "default": 5}}},
            "verify": {
              "type": "array", "maxItems": 3,
              "items": {
                "type": "object", "required": ["kind"],
                "properties": {"kind": {"type": "string", "enum": ["image", "job"]}, "timeout": {"type": "integer", "default": 60}}
              }
            },
            "tags": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "labels": {"type": "object", "minProperties": 1, "maxProperties": 2, "additionalProperties": {"type": "string", "maxLength": 5}},
            "limits": {"type": "object", "additionalProperties": {"type": "integer", "default": 1}},
            "extra": {
              "type": "object", "x-kubernetes-preserve-unknown-fields": true,
              "properties": {"known": {"type": "object", "properties": {"a": {"type": "string"}}}}
            },
            "template": {
              "type": "object", "x-kubernetes-embedded-resource": true,
              "properties": {"spec": {"type": "object", "properties": {"image": {"type": "string"}}}}
            },
            "anything": {"type": "object", "additionalProperties": true}
          }
        },
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
      }
    }
    """#)

  static func schema() throws -> StructuralSchema { try StructuralSchema(schemaJSON) }

  // MARK: Defaults

  static let defaultCases: [(String, String)] = [
    // Missing fields at the first level get defaults; the absent `rollback` object stays absent.
    (#"{"spec": {"imageRepo": "r"}}"#,
     #"{"spec": {"imageRepo": "r", "replicas": 1, "strategy": "semver", "mode": "auto", "logLevel": "info", "window": {"size": 5}}}"#),
    // A present parent object gets its own defaults; explicit values win.
    (#"{"spec": {"replicas": 3, "rollback": {"timeout": 9}}}"#,
     #"{"spec": {"replicas": 3, "strategy": "semver", "mode": "auto", "logLevel": "info", "window": {"size": 5}, "rollback": {"enabled": true, "timeout": 9}}}"#),
    // Defaults inside array items apply to each element.
    (#"{"spec": {"verify": [{"kind": "image"}, {"kind": "job", "timeout": 5}]}}"#,
     #"{"spec": {"replicas": 1, "strategy": "semver", "mode": "auto", "logLevel": "info", "window": {"size": 5}, "verify": [{"kind": "image", "timeout": 60}, {"kind": "job", "timeout": 5}]}}"#),
    // null is replaced for non-nullable fields only; additionalProperties defaults fill null entries.
    (#"{"spec": {"mode": null, "logLevel": null, "limits": {"cpu": null, "mem": 4}}}"#,
     #"{"spec": {"replicas": 1, "strategy": "semver", "mode": "auto", "logLevel": null, "window": {"size": 5}, "limits": {"cpu": 1, "mem": 4}}}"#),
    // No `spec`, no defaults; metadata belongs to the server.
    (#"{"apiVersion": "v1", "metadata": {"name": "x"}}"#, #"{"apiVersion": "v1", "metadata": {"name": "x"}}"#),
  ]

  @Test(arguments: defaultCases)
  func appliesDefaultsAtEveryLevel(_ input: String, _ expected: String) throws {
    #expect(try Self.schema().applyDefaults(to: Self.fixture(input)) == Self.fixture(expected))
  }

  @Test func leavesScalarsAndMismatchedShapesAlone() throws {
    let schema = try Self.schema()
    #expect(schema.applyDefaults(to: "text") == "text")
    #expect(schema.applyDefaults(to: Self.fixture(#"{"spec": [1]}"#)) == Self.fixture(#"{"spec": [1]}"#))
  }

  // MARK: Null pruning

  static let nullCases: [(String, String)] = [
    // Non-nullable, no default: the key goes. Nullable: kept. Defaulted: kept for defaulting.
    (#"{"spec": {"weight": null, "note": null, "mode": null, "rollback": {"enabled": null, "x": null}}}"#,
     #"{"spec": {"note": null, "mode": null, "rollback": {"enabled": null, "x": null}}}"#),
    // additionalProperties values follow their schema; array elements are never removed.
    (#"{"spec": {"labels": {"a": null, "b": "y"}, "tags": [null, "a"], "verify": [{"kind": "job", "timeout": null}]}}"#,
     #"{"spec": {"labels": {"b": "y"}, "tags": [null, "a"], "verify": [{"kind": "job", "timeout": null}]}}"#),
    // Undeclared keys are left to pruning; a null object at the top level goes too.
    (#"{"spec": {"junk": null, "rollback": null, "window": null}}"#,
     #"{"spec": {"junk": null, "window": null}}"#),
  ]

  @Test(arguments: nullCases)
  func dropsNullsOfNonNullableFieldsWithoutDefaults(_ input: String, _ expected: String) throws {
    #expect(try Self.schema().pruneNonNullableNulls(Self.fixture(input)) == Self.fixture(expected))
  }

  // MARK: Pruning

  static let pruneCases: [(String, String)] = [
    // Unknown fields go at the root and below; apiVersion, kind and metadata stay untouched.
    (#"{"apiVersion": "kcd.io/v1", "kind": "KCD", "metadata": {"name": "a", "junk": 1}, "junk": 2, "spec": {"imageRepo": "r", "junk": 3, "rollback": {"enabled": true, "junk": 4}}}"#,
     #"{"apiVersion": "kcd.io/v1", "kind": "KCD", "metadata": {"name": "a", "junk": 1}, "spec": {"imageRepo": "r", "rollback": {"enabled": true}}}"#),
    // Array items are pruned element by element; scalars in arrays survive.
    (#"{"spec": {"verify": [{"kind": "job", "junk": 1}, {"kind": "image"}], "tags": ["a"]}}"#,
     #"{"spec": {"verify": [{"kind": "job"}, {"kind": "image"}], "tags": ["a"]}}"#),
    // additionalProperties keeps every key, and prunes each value by its schema.
    (#"{"spec": {"labels": {"a": "x", "b": "y"}, "limits": {"cpu": 2}}}"#,
     #"{"spec": {"labels": {"a": "x", "b": "y"}, "limits": {"cpu": 2}}}"#),
    // Preserve-unknown-fields keeps unknown subtrees, but declared children are still pruned.
    (#"{"spec": {"extra": {"free": {"deep": [1, {"x": 2}]}, "known": {"a": "1", "b": "2"}}}, "status": {"any": {"thing": true}}}"#,
     #"{"spec": {"extra": {"free": {"deep": [1, {"x": 2}]}, "known": {"a": "1"}}}, "status": {"any": {"thing": true}}}"#),
    // Embedded resources keep their own apiVersion/kind/metadata.
    (#"{"spec": {"template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"a": "b"}}, "spec": {"image": "i", "junk": 1}, "junk": 2}}}"#,
     #"{"spec": {"template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"a": "b"}}, "spec": {"image": "i"}}}}"#),
    // `additionalProperties: true` keeps keys and values as they are.
    (#"{"spec": {"anything": {"a": {"b": 1}}}}"#, #"{"spec": {"anything": {"a": {"b": 1}}}}"#),
    // apiVersion/kind below the root are ordinary fields.
    (#"{"spec": {"kind": "x", "rollback": {"apiVersion": "v1"}}}"#, #"{"spec": {"rollback": {}}}"#),
  ]

  @Test(arguments: pruneCases)
  func prunesUnknownFields(_ input: String, _ expected: String) throws {
    #expect(try Self.schema().prune(Self.fixture(input)) == Self.fixture(expected))
  }

  @Test func preserveAtTheRootKeepsUnknownButPrunesDeclared() throws {
    let schema = try StructuralSchema(Self.fixture(#"""
      {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
       "properties": {"spec": {"type": "object", "properties": {"a": {"type": "string"}}}}}
      """#))
    let pruned = schema.prune(Self.fixture(#"{"foo": {"bar": 1}, "spec": {"a": "x", "b": 2}}"#))
    #expect(pruned == Self.fixture(#"{"foo": {"bar": 1}, "spec": {"a": "x"}}"#))
  }

  // MARK: Validation

  static func typeError(_ field: String, _ value: String, _ type: String, _ actual: String) -> FieldError {
    FieldError(field: field, reason: "FieldValueTypeInvalid",
      message: "Invalid value: \(value): \(field) in body must be of type \(type): \"\(actual)\"")
  }

  static func invalid(_ field: String, _ value: String, _ detail: String) -> FieldError {
    FieldError(field: field, reason: "FieldValueInvalid", message: "Invalid value: \(value): \(field) in body \(detail)")
  }

  static func required(_ field: String) -> FieldError {
    FieldError(field: field, reason: "FieldValueRequired", message: "Required value")
  }

  static func unsupported(_ field: String, _ value: String, _ supported: String) -> FieldError {
    FieldError(field: field, reason: "FieldValueNotSupported", message: "Unsupported value: \(value): supported values: \(supported)")
  }

  /// Each case is a `spec` (imageRepo "repo" is added unless given) and the exact errors expected.
  static let validationCases: [(String, [FieldError])] = [
    (#"{"replicas": 3, "weight": 2, "ratio": 0.5, "note": null, "port": 80, "enabled": false, "tags": ["a"], "labels": {"a": "x"}}"#, []),
    (#"{"replicas": 3.0, "port": "http", "big": 2147483647, "huge": -9000000000}"#, []),
    (#"{"replicas": "string"}"#, [typeError("spec.replicas", #""string""#, "integer", "string")]),
    (#"{"replicas": 2.5}"#, [typeError("spec.replicas", "2.5", "integer", "number")]),
    (#"{"imageRepo": 5}"#, [typeError("spec.imageRepo", "5", "string", "integer")]),
    (#"{"weight": "1"}"#, [typeError("spec.weight", #""1""#, "number", "string")]),
    (#"{"enabled": "yes"}"#, [typeError("spec.enabled", #""yes""#, "boolean", "string")]),
    (#"{"rollback": []}"#, [typeError("spec.rollback", "[]", "object", "array")]),
    (#"{"tags": "a"}"#, [typeError("spec.tags", #""a""#, "array", "string")]),
    (#"{"imageRepo": null}"#, [typeError("spec.imageRepo", #""null""#, "string", "null")]),
    (#"{"port": true}"#, [typeError("spec.port", "true", "integer,string", "boolean")]),
    (#"{"port": 1.5}"#, [typeError("spec.port", "1.5", "integer,string", "number")]),
    (#"{"big": 3000000000}"#, [typeError("spec.big", "3000000000", "int32", "3000000000")]),
    (#"{"huge": 1e19}"#, [typeError("spec.huge", "1e+19", "int64", "1e+19")]),
    (#"{"strategy": "Foo"}"#, [unsupported("spec.strategy", #""Foo""#, #""semver", "numeric""#)]),
    (#"{"level": 3}"#, [unsupported("spec.level", "3", #""1", "2""#)]),
    (#"{"level": 2.0}"#, []),
    (#"{"replicas": 0}"#, [invalid("spec.replicas", "0", "should be greater than or equal to 1")]),
    (#"{"replicas": 11}"#, [invalid("spec.replicas", "11", "should be less than or equal to 10")]),
    (#"{"ratio": 0}"#, [invalid("spec.ratio", "0", "should be greater than 0")]),
    (#"{"ratio": 1}"#, [invalid("spec.ratio", "1", "should be less than 1")]),
    (#"{"ratio": 0.3}"#, [invalid("spec.ratio", "0.3", "should be a multiple of 0.25")]),
    (#"{"imageRepo": "ab"}"#, [invalid("spec.imageRepo", #""ab""#, "should be at least 3 chars long")]),
    (#"{"imageRepo": "abcdefghijklmnopqrstu"}"#, [invalid("spec.imageRepo", #""abcdefghijklmnopqrstu""#, "should be at most 20 chars long")]),
    (#"{"imageRepo": "Bad_Repo"}"#, [invalid("spec.imageRepo", #""Bad_Repo""#, "should match '^[a-z0-9./-]+$'")]),
    (#"{"tags": []}"#, [invalid("spec.tags", "0", "should have at least 1 items")]),
    (#"{"tags": ["a", 1]}"#, [typeError("spec.tags[1]", "1", "string", "integer")]),
    (#"{"verify": [{"kind": "job"}, {"kind": "job"}, {"kind": "job"}, {"kind": "job"}]}"#,
     [invalid("spec.verify", "4", "should have at most 3 items")]),
    (#"{"verify": [{"kind": "job"}, {}, {"kind": "x"}]}"#,
     [required("spec.verify[1].kind"), unsupported("spec.verify[2].kind", #""x""#, #""image", "job""#)]),
    (#"{"labels": {}}"#, [invalid("spec.labels", "0", "should have at least 1 properties")]),
    (#"{"labels": {"a": "1", "b": "2", "c": "3"}}"#, [invalid("spec.labels", "3", "should have at most 2 properties")]),
    (#"{"labels": {"a": "toolong", "b": 1}}"#,
     [invalid("spec.labels.a", #""toolong""#, "should be at most 5 chars long"), typeError("spec.labels.b", "1", "string", "integer")]),
    (#"{"extra": {"free": "anything", "known": {"a": 1}}}"#, [typeError("spec.extra.known.a", "1", "string", "integer")]),
    (#"{"replicas": 0, "imageRepo": "x", "strategy": "no"}"#,
     [invalid("spec.imageRepo", #""x""#, "should be at least 3 chars long"),
      invalid("spec.replicas", "0", "should be greater than or equal to 1"),
      unsupported("spec.strategy", #""no""#, #""semver", "numeric""#)]),
  ]

  @Test(arguments: validationCases)
  func validatesEveryKeyword(_ spec: String, _ expected: [FieldError]) throws {
    var specObject = Self.fixture(spec)
    if specObject["imageRepo"].isNull && !spec.contains("imageRepo") { specObject["imageRepo"] = "repo" }
    let errors = try Self.schema().validate(["apiVersion": "kcd.io/v1", "metadata": ["name": 5], "spec": specObject])
    #expect(errors == expected)
  }

  @Test func requiresFieldsAtTheRootAndBelow() throws {
    let schema = try Self.schema()
    #expect(schema.validate(Self.fixture(#"{"metadata": {}}"#)) == [Self.required("spec")])
    #expect(schema.validate(Self.fixture(#"{"spec": {}}"#)) == [Self.required("spec.imageRepo")])
  }

  @Test func skipsPatternsSwiftCannotCompile() throws {
    let schema = try StructuralSchema(Self.fixture(#"""
      {"type": "object", "properties": {"a": {"type": "string", "pattern": "[unclosed"}}}
      """#))
    #expect(schema.validate(Self.fixture(#"{"a": "anything"}"#)) == [])
  }

  @Test func describesErrorsLikeTheApiserver() {
    #expect(Self.required("spec.x").description == "spec.x: Required value")
  }
}
