import KcdJSON

/// One validation failure of a custom object, shaped like apimachinery's `field.Error` so the
/// server can put it straight into a 422 Status `details.causes` entry.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
  /// Dotted path with indices, e.g. `spec.verify[0].kind`.
  public let field: String
  /// `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported` or `FieldValueTypeInvalid`.
  public let reason: String
  /// The part after the field, e.g. `Required value`.
  public let message: String

  public init(field: String, reason: String, message: String) {
    self.field = field
    self.reason = reason
    self.message = message
  }

  /// The apiserver's one-line form, `spec.replicas: Invalid value: ...`.
  public var description: String { field + ": " + message }

  static func required(_ field: String) -> FieldError {
    FieldError(field: field, reason: "FieldValueRequired", message: "Required value")
  }

  static func invalid(_ field: String, _ value: JSON, _ detail: String) -> FieldError {
    FieldError(field: field, reason: "FieldValueInvalid", message: "Invalid value: \(render(value)): \(detail)")
  }

  static func typeInvalid(_ field: String, _ value: JSON, _ detail: String) -> FieldError {
    FieldError(field: field, reason: "FieldValueTypeInvalid", message: "Invalid value: \(render(value)): \(detail)")
  }

  static func notSupported(_ field: String, _ value: JSON, supported: [JSON]) -> FieldError {
    let names = supported.map { GoStringQuoting.quote($0.stringValue ?? $0.text) }.joined(separator: ", ")
    return FieldError(field: field, reason: "FieldValueNotSupported",
      message: "Unsupported value: \(render(value)): supported values: \(names)")
  }

  /// A bad value as apimachinery prints it: strings quoted, numbers and booleans bare,
  /// null as `"null"`, and (unlike Go's struct dump) objects and arrays as JSON.
  static func render(_ value: JSON) -> String {
    switch value {
    case .null: return "\"null\""
    case .string(let text): return GoStringQuoting.quote(text)
    case .double(let number): return formatNumber(number)
    default: return value.text
    }
  }

  /// Go's `%v` for a float64: whole numbers without a fraction, large ones in exponent form.
  static func formatNumber(_ number: Double) -> String {
    if number.isFinite, number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
    return "\(number)"
  }
}
