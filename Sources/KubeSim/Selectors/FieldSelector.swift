/// A parsed field selector (`--field-selector metadata.name=web,status.phase!=Running`), with
/// apimachinery `fields.ParseSelector` syntax so kubectl and client libraries behave as usual.
public struct FieldSelector: Sendable {
  /// Field selectors only compare for equality, as in apimachinery.
  public enum Op: Sendable, Equatable {
    /// `=` or `==`.
    case equals
    /// `!=`.
    case notEquals
  }

  /// The terms, all of which must hold; values are already unescaped.
  public var requirements: [(field: String, op: Op, value: String)]

  /// Parses comma-separated `field=value`, `field==value`, `field!=value` terms. In values,
  /// `\,` `\=` `\\` stand for the literal characters; empty text selects everything.
  public init(parsing text: String) throws(SelectorError) {
    requirements = []
    for term in Self.splitTerms(text) where !term.isEmpty {
      guard case let (field, op, rawValue)? = Self.splitTerm(term) else {
        throw SelectorError("invalid selector: '\(text)'; can't understand '\(term)'")
      }
      requirements.append((field: field, op: op, value: try Self.unescape(rawValue)))
    }
  }

  public var isEverything: Bool { requirements.isEmpty }

  /// `value(field)` yields the object's field; `nil` counts as the empty string, as in
  /// apimachinery's `fields.Set`, so `spec.nodeName=` selects unscheduled pods.
  public func matches(_ value: (String) -> String?) -> Bool {
    requirements.allSatisfy { requirement in
      let actual = value(requirement.field) ?? ""
      switch requirement.op {
      case .equals: return actual == requirement.value
      case .notEquals: return actual != requirement.value
      }
    }
  }

  /// The first field outside `allowed`, for the caller's 400 `field label not supported: <field>`.
  public func unsupportedField(allowed: Set<String>) -> String? {
    requirements.first { !allowed.contains($0.field) }?.field
  }

  /// Splits on commas that are not escaped; escapes stay in place for `unescape`.
  static func splitTerms(_ text: String) -> [String] {
    guard !text.isEmpty else { return [] }
    var terms: [String] = []
    var current = ""
    var escaping = false
    for character in text.unicodeScalars {
      if escaping {
        escaping = false
      } else if character == "\\" {
        escaping = true
      } else if character == "," {
        terms.append(current)
        current = ""
        continue
      }
      current.unicodeScalars.append(character)
    }
    terms.append(current)
    return terms
  }

  /// Splits at the first operator; field names have no escapes, and `!=`/`==` win over `=`.
  static func splitTerm(_ term: String) -> (String, Op, String)? {
    let scalars = Array(term.unicodeScalars)
    for index in scalars.indices {
      let rest = scalars[index...]
      let matched: (Op, Int)? =
        rest.starts(with: ["!", "="]) ? (.notEquals, 2)
        : rest.starts(with: ["=", "="]) ? (.equals, 2)
        : rest.first == "=" ? (.equals, 1) : nil
      if case let (op, length)? = matched {
        var field = "", value = ""
        field.unicodeScalars.append(contentsOf: scalars[..<index])
        value.unicodeScalars.append(contentsOf: scalars[(index + length)...])
        return (field, op, value)
      }
    }
    return nil
  }

  /// apimachinery `fields.UnescapeValue`: only `\\`, `\,`, `\=` are escapes, and bare `,`/`=` are refused.
  static func unescape(_ raw: String) throws(SelectorError) -> String {
    var result = ""
    var escaping = false
    for character in raw.unicodeScalars {
      if escaping {
        guard character == "\\" || character == "," || character == "=" else {
          var sequence = "\\"
          sequence.unicodeScalars.append(character)
          throw SelectorError("invalid field selector: invalid escape sequence: \(sequence)")
        }
        result.unicodeScalars.append(character)
        escaping = false
      } else if character == "\\" {
        escaping = true
      } else if character == "," || character == "=" {
        throw SelectorError("invalid field selector: unescaped character in value: \(character)")
      } else {
        result.unicodeScalars.append(character)
      }
    }
    if escaping { throw SelectorError("invalid field selector: invalid escape sequence: \\") }
    return result
  }
}

extension FieldSelector: CustomStringConvertible {
  /// The selector text with values re-escaped, parseable again.
  public var description: String {
    requirements.map { requirement in
      var escaped = ""
      for character in requirement.value.unicodeScalars {
        if character == "\\" || character == "," || character == "=" { escaped += "\\" }
        escaped.unicodeScalars.append(character)
      }
      return requirement.field + (requirement.op == .equals ? "=" : "!=") + escaped
    }.joined(separator: ",")
  }
}
