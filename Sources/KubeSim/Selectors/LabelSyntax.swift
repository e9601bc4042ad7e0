/// The apimachinery rules for label keys and values (`validation.IsQualifiedName`,
/// `IsValidLabelValue`), checked by hand so selectors need no regular-expression engine.
enum LabelSyntax {
  static let nameMaxLength = 63
  static let prefixMaxLength = 253
  static let valueMaxLength = 63

  static let nameRegex = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
  static let nameMessage =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
  static let prefixRegex = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
  static let prefixMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
  static let valueMessage =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

  /// Problems with a label key; empty when the key is valid.
  static func keyProblems(_ key: String) -> [String] {
    let parts = key.split(separator: "/", omittingEmptySubsequences: false)
    var problems: [String] = []
    let name: Substring
    switch parts.count {
    case 1:
      name = parts[0]
    case 2:
      let prefix = parts[0]
      name = parts[1]
      if prefix.isEmpty {
        problems.append("prefix part must be non-empty")
      } else {
        if prefix.utf8.count > prefixMaxLength {
          problems.append("prefix part must be no more than \(prefixMaxLength) characters")
        }
        if !isDNSSubdomain(prefix) {
          problems.append("prefix part " + regexError(prefixMessage, prefixRegex, ["example.com"]))
        }
      }
    default:
      return ["a qualified name " + regexError(nameMessage, nameRegex, ["MyName", "my.name", "123-abc"])
        + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    }
    if name.isEmpty {
      problems.append("name part must be non-empty")
    } else if name.utf8.count > nameMaxLength {
      problems.append("name part must be no more than \(nameMaxLength) characters")
    }
    if !isQualifiedNamePart(name) {
      problems.append("name part " + regexError(nameMessage, nameRegex, ["MyName", "my.name", "123-abc"]))
    }
    return problems
  }

  /// Problems with a label value; empty when the value is valid (the empty string is).
  static func valueProblems(_ value: String) -> [String] {
    var problems: [String] = []
    if value.utf8.count > valueMaxLength {
      problems.append("must be no more than \(valueMaxLength) characters")
    }
    if !value.isEmpty && !isQualifiedNamePart(Substring(value)) {
      problems.append(regexError(valueMessage, "(" + nameRegex + ")?", ["MyValue", "my_value", "12345"]))
    }
    return problems
  }

  static func isQualifiedNamePart(_ text: Substring) -> Bool {
    let bytes = Array(text.utf8)
    guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
      return false
    }
    return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
  }

  static func isDNSSubdomain(_ text: Substring) -> Bool {
    text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
      let bytes = Array(label.utf8)
      guard let first = bytes.first, let last = bytes.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last) else {
        return false
      }
      return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
  }

  static func isAlphanumeric(_ byte: UInt8) -> Bool {
    isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
  }

  static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
  }

  /// apimachinery's `RegexError`, including its doubled spaces, so messages match byte for byte.
  static func regexError(_ message: String, _ regex: String, _ examples: [String]) -> String {
    let shown = examples.map { "'\($0)', " }.joined(separator: " or ")
    return message + " (e.g. " + shown + "regex used for validation is '" + regex + "')"
  }
}
