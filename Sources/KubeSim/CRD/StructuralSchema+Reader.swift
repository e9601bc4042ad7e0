import KcdJSON

extension StructuralSchema {
  /// Where a node sits, which decides the wording of a missing-`type` error.
  enum Level { case root, field, item }

  /// Decodes schema JSON into nodes and collects every structural violation, so a user fixing
  /// a CRD sees all problems at once.
  struct Reader {
    /// Deeper schemas are refused so hostile input cannot exhaust the stack later.
    static let maximumDepth = 64
    static let types: [String] = ["array", "boolean", "integer", "number", "object", "string"]
    static let unsupportedKeys = ["$ref", "$schema", "id", "definitions", "dependencies", "patternProperties", "additionalItems"]
    static let junctors = ["allOf", "anyOf", "oneOf", "not"]

    var problems: [String] = []

    mutating func problem(_ path: String, _ text: String) { problems.append(path + ": " + text) }

    mutating func node(_ json: JSON, path: String, level: Level, depth: Int) -> Node {
      var node = Node()
      guard case .object(let members) = json else {
        problem(path, "Invalid value: \(FieldError.render(json)): must be a schema object")
        return node
      }
      guard depth <= Self.maximumDepth else {
        problem(path, "Forbidden: schema nesting is deeper than \(Self.maximumDepth) levels")
        return node
      }
      for key in Self.unsupportedKeys where members[key] != nil {
        problem(path + "." + key, "Forbidden: \(key) is not supported")
      }
      if members["uniqueItems"]?.boolValue == true {
        problem(path + ".uniqueItems", "Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic")
      }
      readScalarKeywords(members, path: path, into: &node)
      readChildren(members, path: path, depth: depth, into: &node)
      for junctor in Self.junctors {
        if let value = members[junctor] { checkJunctor(value, path: path + "." + junctor, intOrString: node.intOrString, depth: depth + 1) }
      }
      checkStructure(node, members: members, path: path, level: level)
      if let value = node.defaultValue { checkDefault(value, of: node, path: path + ".default") }
      return node
    }

    mutating func readScalarKeywords(_ members: [String: JSON], path: String, into node: inout Node) {
      if let value = members["type"] {
        if let name = value.stringValue, Self.types.contains(name) {
          node.type = name
        } else {
          let supported = Self.types.map { GoStringQuoting.quote($0) }.joined(separator: ", ")
          problem(path + ".type", "Unsupported value: \(FieldError.render(value)): supported values: \(supported)")
        }
      }
      node.intOrString = flag(members, "x-kubernetes-int-or-string", path)
      node.embeddedResource = flag(members, "x-kubernetes-embedded-resource", path)
      node.preservesUnknownFields = flag(members, "x-kubernetes-preserve-unknown-fields", path)
      if members["x-kubernetes-preserve-unknown-fields"]?.boolValue == false {
        problem(path + ".x-kubernetes-preserve-unknown-fields", "Invalid value: false: must be true or undefined")
      }
      node.nullable = flag(members, "nullable", path)
      node.exclusiveMinimum = flag(members, "exclusiveMinimum", path)
      node.exclusiveMaximum = flag(members, "exclusiveMaximum", path)
      node.minimum = number(members, "minimum", path)
      node.maximum = number(members, "maximum", path)
      node.multipleOf = number(members, "multipleOf", path)
      if let divisor = node.multipleOf, divisor <= 0 {
        problem(path + ".multipleOf", "Invalid value: \(FieldError.render(.double(divisor))): must be greater than zero")
        node.multipleOf = nil
      }
      node.minLength = count(members, "minLength", path)
      node.maxLength = count(members, "maxLength", path)
      node.minItems = count(members, "minItems", path)
      node.maxItems = count(members, "maxItems", path)
      node.minProperties = count(members, "minProperties", path)
      node.maxProperties = count(members, "maxProperties", path)
      node.format = text(members, "format", path)
      if let pattern = text(members, "pattern", path), (try? Regex(pattern)) != nil { node.pattern = pattern }
      if let value = members["required"] {
        let names = value.arrayValue?.compactMap(\.stringValue)
        if let names, names.count == value.arrayValue?.count { node.required = names } else {
          problem(path + ".required", "Invalid value: \(FieldError.render(value)): must be a list of strings")
        }
      }
      if let value = members["enum"] {
        if let values = value.arrayValue { node.enumValues = values } else {
          problem(path + ".enum", "Invalid value: \(FieldError.render(value)): must be a list")
        }
      }
      node.defaultValue = members["default"]
    }

    mutating func readChildren(_ members: [String: JSON], path: String, depth: Int, into node: inout Node) {
      switch members["properties"] {
      case nil: break
      case .object(let properties)?:
        for key in properties.keys.sorted() {
          guard let schema = properties[key] else { continue }
          node.properties[key] = self.node(schema, path: path + ".properties[\(key)]", level: .field, depth: depth + 1)
        }
      case let value?:
        problem(path + ".properties", "Invalid value: \(FieldError.render(value)): must be an object")
      }
      switch members["items"] {
      case nil: break
      case .object?: node.itemSchemas = [self.node(members["items"] ?? .null, path: path + ".items", level: .item, depth: depth + 1)]
      case .array?: problem(path + ".items", "Forbidden: items must be a schema object and not an array")
      case let value?: problem(path + ".items", "Invalid value: \(FieldError.render(value)): must be a schema object")
      }
      switch members["additionalProperties"] {
      case nil, .bool(false)?: break
      case .bool(true)?: node.allowsAnyAdditionalProperties = true
      case let value?:
        node.additionalPropertySchemas = [self.node(value, path: path + ".additionalProperties", level: .field, depth: depth + 1)]
      }
      if members["additionalProperties"] != nil, !node.properties.isEmpty {
        problem(path + ".additionalProperties", "Forbidden: additionalProperties and properties are mutual exclusive")
      }
    }

    mutating func flag(_ members: [String: JSON], _ key: String, _ path: String) -> Bool {
      guard let value = members[key] else { return false }
      guard let flag = value.boolValue else {
        problem(path + "." + key, "Invalid value: \(FieldError.render(value)): must be a boolean")
        return false
      }
      return flag
    }

    mutating func number(_ members: [String: JSON], _ key: String, _ path: String) -> Double? {
      guard let value = members[key] else { return nil }
      guard let number = value.doubleValue else {
        problem(path + "." + key, "Invalid value: \(FieldError.render(value)): must be a number")
        return nil
      }
      return number
    }

    mutating func count(_ members: [String: JSON], _ key: String, _ path: String) -> Int64? {
      guard let value = members[key] else { return nil }
      guard let count = value.intValue, count >= 0 else {
        problem(path + "." + key, "Invalid value: \(FieldError.render(value)): must be a non-negative integer")
        return nil
      }
      return count
    }

    mutating func text(_ members: [String: JSON], _ key: String, _ path: String) -> String? {
      guard let value = members[key] else { return nil }
      guard let text = value.stringValue else {
        problem(path + "." + key, "Invalid value: \(FieldError.render(value)): must be a string")
        return nil
      }
      return text
    }
  }
}
