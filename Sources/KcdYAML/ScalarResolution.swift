import KcdJSON

/// YAML 1.2 core schema (spec §10.3.2): how an untagged plain scalar becomes null, a boolean,
/// an integer, a float or a string. YAML 1.1's yes/no/on/off, sexagesimal numbers and `_`
/// digit separators are deliberately absent, so `country: NO` stays the string "NO", as it
/// does for sigs.k8s.io/yaml.
enum CoreSchema {
  static func resolve(_ text: String) -> JSON {
    guard let first = text.utf8.first else { return .null }
    switch first {
    case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
      return isNull(text) ? .null : .string(text)
    case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
      return bool(text).map(JSON.bool) ?? .string(text)
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
      return number(text) ?? .string(text)
    default:
      return .string(text)
    }
  }

  static func isNull(_ text: String) -> Bool {
    switch text {
    case "", "~", "null", "Null", "NULL": return true
    default: return false
    }
  }

  static func bool(_ text: String) -> Bool? {
    switch text {
    case "true", "True", "TRUE": return true
    case "false", "False", "FALSE": return false
    default: return nil
    }
  }

  /// An integer too large for 64 bits is still a number, so it becomes a double rather than
  /// silently turning into a string.
  static func number(_ text: String) -> JSON? {
    if let parts = integerParts(text) {
      if let value = integer(parts) { return .int(value) }
      if parts.radix == 10, let value = Double(text) { return .double(value) }
      var magnitude = 0.0
      for digit in parts.digits { magnitude = magnitude * Double(parts.radix) + Double(digit.hexDigitValue ?? 0) }
      return .double(parts.negative ? -magnitude : magnitude)
    }
    return float(text).map(JSON.double)
  }

  /// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`, when it fits in 64 bits.
  static func integer(_ text: String) -> Int64? {
    integerParts(text).flatMap(integer)
  }

  private static func integer(_ parts: (digits: Substring, radix: Int, negative: Bool)) -> Int64? {
    Int64(parts.negative ? "-" + parts.digits : String(parts.digits), radix: parts.radix)
  }

  private static func integerParts(_ text: String) -> (digits: Substring, radix: Int, negative: Bool)? {
    if text.hasPrefix("0x") || text.hasPrefix("0o") {
      let radix = text.hasPrefix("0x") ? 16 : 8
      let digits = text.dropFirst(2)
      guard !digits.isEmpty, digits.allSatisfy({ ($0.hexDigitValue ?? radix) < radix && $0.isASCII }) else { return nil }
      return (digits, radix, false)
    }
    var digits = Substring(text)
    var negative = false
    if let sign = digits.first, sign == "-" || sign == "+" {
      negative = sign == "-"
      digits = digits.dropFirst()
    }
    guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
    return (digits, 10, negative)
  }

  /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.inf` and `\.nan` in their
  /// three spellings. The pattern is checked here because `Double(_:)` also accepts forms
  /// YAML does not (`inf`, `0x1p3`).
  static func float(_ text: String) -> Double? {
    let bytes = Array(text.utf8)
    switch text {
    case ".nan", ".NaN", ".NAN": return .nan
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
    case "-.inf", "-.Inf", "-.INF": return -.infinity
    default: break
    }
    var i = 0
    func digits() -> Int {
      let start = i
      while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
      return i - start
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
    let integerDigits = digits()
    if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
      i += 1
      if digits() == 0, integerDigits == 0 { return nil }
    } else if integerDigits == 0 {
      return nil
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
      if digits() == 0 { return nil }
    }
    guard i == bytes.count else { return nil }
    return Double(text)
  }
}
