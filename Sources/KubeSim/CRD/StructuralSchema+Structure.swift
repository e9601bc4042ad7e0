import KcdJSON

/// The structural-schema rules of the apiserver (kubernetes.io, "Specifying a structural schema"):
/// every specified field has a type, logical junctors only restrict values, metadata is the server's.
extension StructuralSchema.Reader {
  static let forbiddenInJunctors = [
    "type", "default", "additionalProperties", "nullable", "description",
    "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string",
  ]

  mutating func checkStructure(_ node: StructuralSchema.Node, members: [String: JSON], path: String, level: StructuralSchema.Level) {
    let typePath = path + ".type"
    if members["type"] == nil && !node.intOrString && !node.preservesUnknownFields {
      switch level {
      case .root: problem(typePath, "Required value: must not be empty at the root")
      case .field: problem(typePath, "Required value: must not be empty for specified object fields")
      case .item: problem(typePath, "Required value: must not be empty for specified array items")
      }
    }
    if let type = node.type {
      let quoted = GoStringQuoting.quote(type)
      if level == .root && type != "object" { problem(typePath, "Invalid value: \(quoted): must be object at the root") }
      if node.intOrString { problem(typePath, "Invalid value: \(quoted): must be empty if x-kubernetes-int-or-string is true") }
      if node.embeddedResource && type != "object" {
        problem(typePath, "Invalid value: \(quoted): must be object if x-kubernetes-embedded-resource is true")
      }
      if type == "array" && members["items"] == nil { problem(path + ".items", "Required value: must be specified") }
    }
    if node.embeddedResource && !node.preservesUnknownFields && node.properties.isEmpty {
      problem(path + ".properties",
        "Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields")
    }
  }

  /// `allOf`/`anyOf`/`oneOf` take a list of schemas, `not` one schema.
  mutating func checkJunctor(_ value: JSON, path: String, intOrString: Bool, depth: Int) {
    switch value {
    case .array(let schemas) where !path.hasSuffix(".not"):
      for (index, schema) in schemas.enumerated() {
        checkJunctorSchema(schema, path: path + "[\(index)]", intOrString: intOrString, depth: depth)
      }
    case .object:
      if path.hasSuffix(".not") {
        checkJunctorSchema(value, path: path, intOrString: intOrString, depth: depth)
      } else {
        problem(path, "Invalid value: \(FieldError.render(value)): must be a list of schemas")
      }
    default:
      problem(path, "Invalid value: \(FieldError.render(value)): must be a schema")
    }
  }

  /// Inside junctors only value validations may appear, except the two documented
  /// int-or-string patterns (`anyOf: [{type: integer}, {type: string}]`).
  mutating func checkJunctorSchema(_ schema: JSON, path: String, intOrString: Bool, depth: Int) {
    guard case .object(let members) = schema else {
      problem(path, "Invalid value: \(FieldError.render(schema)): must be a schema object")
      return
    }
    guard depth <= Self.maximumDepth else {
      problem(path, "Forbidden: schema nesting is deeper than \(Self.maximumDepth) levels")
      return
    }
    for key in Self.forbiddenInJunctors {
      guard let value = members[key] else { continue }
      if key == "type", intOrString, value == "integer" || value == "string" { continue }
      problem(path + "." + key, "Forbidden: must be empty to be structural")
    }
    for key in Self.unsupportedKeys where members[key] != nil {
      problem(path + "." + key, "Forbidden: \(key) is not supported")
    }
    if case .object(let properties)? = members["properties"] {
      for key in properties.keys.sorted() {
        guard let child = properties[key] else { continue }
        checkJunctorSchema(child, path: path + ".properties[\(key)]", intOrString: false, depth: depth + 1)
      }
    }
    if let items = members["items"] {
      checkJunctorSchema(items, path: path + ".items", intOrString: false, depth: depth + 1)
    }
    for junctor in Self.junctors {
      if let value = members[junctor] {
        checkJunctor(value, path: path + "." + junctor, intOrString: intOrString, depth: depth + 1)
      }
    }
  }

  /// A default must itself be a valid, already pruned value, or defaulting would create
  /// objects the server then refuses.
  mutating func checkDefault(_ value: JSON, of node: StructuralSchema.Node, path: String) {
    if value.isNull && node.nullable { return }
    var errors: [FieldError] = []
    node.validate(value, path: "default", isResourceRoot: false, into: &errors)
    for error in errors {
      problem(path + error.field.dropFirst("default".count), error.message)
    }
    if errors.isEmpty && node.pruned(value) != value {
      problem(path, "Invalid value: \(FieldError.render(value)): must not have unknown fields")
    }
  }

  /// Only `metadata.name` and `metadata.generateName` may be restricted; the rest is ObjectMeta.
  mutating func checkRootMetadata(_ schema: JSON, path: String) {
    guard case .object(let members) = schema["properties"]["metadata"] else { return }
    let allowed: Set<String> = ["type", "description", "properties"]
    let allowedProperties: Set<String> = ["name", "generateName"]
    let extraKeys = members.keys.filter { !allowed.contains($0) }
    let extraProperties = (members["properties"]?.objectValue ?? [:]).keys.filter { !allowedProperties.contains($0) }
    if !extraKeys.isEmpty || !extraProperties.isEmpty {
      problem(path + ".properties[metadata]",
        "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified")
    }
  }
}
