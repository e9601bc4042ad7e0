/// A non-negative decimal number as a tag or an extracted part spells it (`1712345678`,
/// `20.5`), compared exactly whatever its length (a millisecond timestamp or a long build
/// number never loses precision, as a float would).
public struct DecimalNumber: Sendable, Hashable, Comparable {
  /// Digits of the integer part without leading zeros ("" for zero).
  let integer: [UInt8]
  /// Digits of the fraction without trailing zeros.
  let fraction: [UInt8]

  public init?(_ text: some StringProtocol) {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty, bytes.count <= 128 else { return nil }
    let dot = bytes.firstIndex(of: 46)
    let whole = bytes[..<(dot ?? bytes.endIndex)]
    let frac = dot.map { bytes[($0 + 1)...] } ?? []
    guard !whole.isEmpty, whole.allSatisfy(DecimalNumber.isDigit), frac.allSatisfy(DecimalNumber.isDigit), dot == nil || !frac.isEmpty else { return nil }
    integer = Array(whole.drop { $0 == 48 })
    var f = Array(frac)
    while f.last == 48 { f.removeLast() }
    fraction = f
  }

  static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

  public static func < (a: DecimalNumber, b: DecimalNumber) -> Bool {
    if a.integer.count != b.integer.count { return a.integer.count < b.integer.count }
    if a.integer != b.integer { return a.integer.lexicographicallyPrecedes(b.integer) }
    return a.fraction.lexicographicallyPrecedes(b.fraction)
  }
}
