/// A set of Unicode scalar values as sorted, disjoint closed ranges. Classes, `.` and the
/// `\d`-style escapes all become one of these, so the VM has a single membership test.
struct ScalarSet: Sendable, Hashable {
  private(set) var ranges: [ClosedRange<UInt32>]
  /// Membership of ASCII scalars as a bitmap, the common case for tags, tested without
  /// touching the range array.
  private var asciiLow: UInt64 = 0
  private var asciiHigh: UInt64 = 0

  init(_ ranges: [ClosedRange<UInt32>] = []) {
    self.ranges = ScalarSet.normalized(ranges)
    for range in self.ranges where range.lowerBound < 128 {
      for value in range.lowerBound...min(range.upperBound, 127) {
        if value < 64 { asciiLow |= 1 << UInt64(value) } else { asciiHigh |= 1 << UInt64(value - 64) }
      }
    }
  }

  /// `\d`: ASCII digits only, like RE2; tags are ASCII and Unicode digits would surprise.
  static let digits = ScalarSet([0x30...0x39])
  /// `\w`: ASCII letters, digits and underscore.
  static let word = ScalarSet([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
  /// `\s`: ASCII whitespace (tab, newline, vertical tab, form feed, carriage return, space).
  static let space = ScalarSet([0x09...0x0D, 0x20...0x20])
  /// `.`: every scalar except newline (no dot-all mode).
  static let anyButNewline = ScalarSet([0x0A...0x0A]).inverted

  static let maxScalar: UInt32 = 0x10FFFF

  func union(_ other: ScalarSet) -> ScalarSet {
    ScalarSet(ranges + other.ranges)
  }

  /// The complement within all scalar values, for `[^…]`, `\D`, `\W`, `\S`.
  var inverted: ScalarSet {
    var result: [ClosedRange<UInt32>] = []
    var next: UInt32 = 0
    for range in ranges {
      if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
      next = range.upperBound + 1
    }
    if next <= ScalarSet.maxScalar { result.append(next...ScalarSet.maxScalar) }
    return ScalarSet(result)
  }

  func contains(_ value: UInt32) -> Bool {
    if value < 64 { return asciiLow & (1 << UInt64(value)) != 0 }
    if value < 128 { return asciiHigh & (1 << UInt64(value - 64)) != 0 }
    var low = 0
    var high = ranges.count
    while low < high {
      let middle = (low + high) / 2
      let range = ranges[middle]
      if value < range.lowerBound {
        high = middle
      } else if value > range.upperBound {
        low = middle + 1
      } else {
        return true
      }
    }
    return false
  }

  /// Sorts and merges overlapping or touching ranges so lookups can binary-search.
  private static func normalized(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
    var merged: [ClosedRange<UInt32>] = []
    for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
        merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
      } else {
        merged.append(range)
      }
    }
    return merged
  }
}
