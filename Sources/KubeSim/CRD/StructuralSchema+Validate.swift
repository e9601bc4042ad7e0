import KcdJSON

extension StructuralSchema {
  /// Every way `object` breaks the schema, in a stable order; the root `metadata` is left to
  /// the server's ObjectMeta validation.
  public func validate(_ object: JSON) -> [FieldError] {
    var errors: [FieldError] = []
    root.validate(object, path: "", isResourceRoot: true, into: &errors)
    return errors
  }
}

extension StructuralSchema.Node {
  func validate(_ value: JSON, path: String, isResourceRoot: Bool, into errors: inout [FieldError]) {
    let name = path.isEmpty ? "." : path
    if value.isNull {
      if nullable || (type == nil && !intOrString) { return }
      errors.append(.typeInvalid(path, value, "\(name) in body must be of type \(expectedType): \"null\""))
      return
    }
    guard hasExpectedType(value) else {
      errors.append(.typeInvalid(path, value, "\(name) in body must be of type \(expectedType): \"\(Self.typeName(of: value))\""))
      return
    }
    if let enumValues, !enumValues.contains(value) {
      errors.append(.notSupported(path, value, supported: enumValues))
    }
    switch value {
    case .int, .double: validateNumber(value, path: path, name: name, into: &errors)
    case .string(let text): validateString(text, path: path, name: name, into: &errors)
    case .array(let elements): validateArray(elements, path: path, name: name, into: &errors)
    case .object(let members): validateObject(members, path: path, name: name, isResourceRoot: isResourceRoot, into: &errors)
    default: break
    }
  }

  var expectedType: String { intOrString ? "integer,string" : type ?? "" }

  func hasExpectedType(_ value: JSON) -> Bool {
    if intOrString { return Self.isInteger(value) || value.stringValue != nil }
    switch type {
    case nil: return true
    case "object": return value.objectValue != nil
    case "array": return value.arrayValue != nil
    case "string": return value.stringValue != nil
    case "boolean": return value.boolValue != nil
    case "integer": return Self.isInteger(value)
    case "number": return value.doubleValue != nil
    default: return true
    }
  }

  static func isInteger(_ value: JSON) -> Bool {
    switch value {
    case .int: return true
    case .double(let number): return number.isFinite && number.rounded() == number
    default: return false
    }
  }

  /// The JSON type name kube-openapi reports for a value that has the wrong type.
  static func typeName(of value: JSON) -> String {
    switch value {
    case .null: return "null"
    case .bool: return "boolean"
    case .int: return "integer"
    case .double: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
  }

  func validateNumber(_ value: JSON, path: String, name: String, into errors: inout [FieldError]) {
    guard let number = value.doubleValue else { return }
    if format == "int32" || format == "int64", Self.isInteger(value) {
      let fits = format == "int32" ? (Double(Int32.min)...Double(Int32.max)).contains(number) : value.intValue != nil
      if !fits { errors.append(.typeInvalid(path, value, "\(name) in body must be of type \(format ?? ""): \(GoStringQuoting.quote(FieldError.render(value)))")) }
    }
    if let minimum {
      let bound = FieldError.formatNumber(minimum)
      if exclusiveMinimum, number <= minimum {
        errors.append(.invalid(path, value, "\(name) in body should be greater than \(bound)"))
      } else if !exclusiveMinimum, number < minimum {
        errors.append(.invalid(path, value, "\(name) in body should be greater than or equal to \(bound)"))
      }
    }
    if let maximum {
      let bound = FieldError.formatNumber(maximum)
      if exclusiveMaximum, number >= maximum {
        errors.append(.invalid(path, value, "\(name) in body should be less than \(bound)"))
      } else if !exclusiveMaximum, number > maximum {
        errors.append(.invalid(path, value, "\(name) in body should be less than or equal to \(bound)"))
      }
    }
    if let multipleOf, multipleOf > 0 {
      let quotient = number / multipleOf
      if !quotient.isFinite || quotient.rounded() != quotient {
        errors.append(.invalid(path, value, "\(name) in body should be a multiple of \(FieldError.formatNumber(multipleOf))"))
      }
    }
  }

  /// `pattern` uses Swift `Regex` (a backtracking engine, unlike Go's RE2): a pathological
  /// pattern in a CRD can make matching slow, but patterns come from cluster admins, not users.
  func validateString(_ text: String, path: String, name: String, into errors: inout [FieldError]) {
    let length = Int64(text.unicodeScalars.count)
    if let minLength, length < minLength {
      errors.append(.invalid(path, .string(text), "\(name) in body should be at least \(minLength) chars long"))
    }
    if let maxLength, length > maxLength {
      errors.append(.invalid(path, .string(text), "\(name) in body should be at most \(maxLength) chars long"))
    }
    if let pattern, let regex = try? Regex(pattern).matchingSemantics(.unicodeScalar), !text.contains(regex) {
      errors.append(.invalid(path, .string(text), "\(name) in body should match '\(pattern)'"))
    }
  }

  func validateArray(_ elements: [JSON], path: String, name: String, into errors: inout [FieldError]) {
    let count = JSON.int(Int64(elements.count))
    if let minItems, elements.count < minItems {
      errors.append(.invalid(path, count, "\(name) in body should have at least \(minItems) items"))
    }
    if let maxItems, elements.count > maxItems {
      errors.append(.invalid(path, count, "\(name) in body should have at most \(maxItems) items"))
    }
    guard let items else { return }
    for (index, element) in elements.enumerated() {
      items.validate(element, path: "\(path)[\(index)]", isResourceRoot: false, into: &errors)
    }
  }

  func validateObject(
    _ members: [String: JSON], path: String, name: String, isResourceRoot: Bool, into errors: inout [FieldError]
  ) {
    let count = JSON.int(Int64(members.count))
    if let minProperties, members.count < minProperties {
      errors.append(.invalid(path, count, "\(name) in body should have at least \(minProperties) properties"))
    }
    if let maxProperties, members.count > maxProperties {
      errors.append(.invalid(path, count, "\(name) in body should have at most \(maxProperties) properties"))
    }
    for key in required where members[key] == nil {
      errors.append(.required(Self.child(path, key)))
    }
    for key in members.keys.sorted() {
      if isResourceRoot && key == "metadata" { continue }
      guard let member = members[key] else { continue }
      if let property = properties[key] {
        property.validate(member, path: Self.child(path, key), isResourceRoot: false, into: &errors)
      } else if let additionalProperties {
        additionalProperties.validate(member, path: Self.child(path, key), isResourceRoot: false, into: &errors)
      }
    }
  }

  static func child(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
}
