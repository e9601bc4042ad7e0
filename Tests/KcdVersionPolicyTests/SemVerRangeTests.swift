import Testing

@testable import KcdVersionPolicy

/// Ranges in Masterminds semver's constraint syntax (its README's tables), which Flux's
/// `semver.range` and Argo CD Image Updater use; pre-releases only where a comparator names one.
@Suite struct SemVerRangeTests {
  static let table: [(range: String, inside: [String], outside: [String])] = [
    (">=1.4.0 <2.0.0", ["1.4.0", "1.5.0", "1.10.0", "v1.99.99"], ["1.3.9", "2.0.0", "2.0.0-rc.1", "1.5.0-beta"]),
    (">=1.4.0, <2.0.0", ["1.4.0"], ["2.0.0"]),
    (">= 1.2, < 3.0.0 || >= 4.2.3", ["1.2.0", "2.9.9", "4.2.3", "7.0.0"], ["1.1.9", "3.0.0", "4.2.2"]),
    ("^1.2.3", ["1.2.3", "1.9.0"], ["1.2.2", "2.0.0"]),
    ("^1.2", ["1.2.0", "1.99.0"], ["1.1.0", "2.0.0"]),
    ("^1.2.x", ["1.2.0", "1.3.0"], ["2.0.0"]),
    ("^2.x", ["2.0.0", "2.9.1"], ["1.9.9", "3.0.0"]),
    ("^0.2.3", ["0.2.3", "0.2.9"], ["0.3.0", "0.2.2"]),
    ("^0.2", ["0.2.0", "0.2.9"], ["0.3.0"]),
    ("^0.0.3", ["0.0.3"], ["0.0.4", "0.0.2"]),
    ("^0.0", ["0.0.0", "0.0.9"], ["0.1.0"]),
    ("^0", ["0.0.1", "0.9.0"], ["1.0.0"]),
    ("~1.2.3", ["1.2.3", "1.2.9"], ["1.3.0", "1.2.2"]),
    ("~1", ["1.0.0", "1.9.0"], ["2.0.0"]),
    ("~2.3", ["2.3.0", "2.3.9"], ["2.4.0"]),
    ("~1.2.x", ["1.2.0", "1.2.7"], ["1.3.0"]),
    ("~>1.2.3", ["1.2.4"], ["1.3.0"]),
    ("1.2 - 1.4.5", ["1.2.0", "1.4.5"], ["1.4.6", "1.1.9"]),
    ("2.3.4 - 4.5", ["2.3.4", "4.5.9"], ["4.6.0", "2.3.3"]),
    ("1.2.x", ["1.2.0", "1.2.9"], ["1.3.0", "1.1.0"]),
    ("1.2", ["1.2.0", "1.2.9"], ["1.3.0"]),
    ("=1.2.3", ["1.2.3", "v1.2.3"], ["1.2.4"]),
    ("!=1.2.3", ["1.2.4", "1.2.2"], ["1.2.3"]),
    (">1.2", ["1.3.0"], ["1.2.9"]),
    (">1.2.3", ["1.2.4"], ["1.2.3"]),
    ("<=1.2", ["1.2.9"], ["1.3.0"]),
    ("<1.2", ["1.1.9"], ["1.2.0"]),
    ("<= 2.x", ["2.9.9"], ["3.0.0"]),
    (">= 1.2.x", ["1.2.0", "9.0.0"], ["1.1.9"]),
    ("*", ["0.0.1", "99.0.0"], ["1.0.0-rc.1"]),
    ("", ["1.0.0"], ["1.0.0-rc.1"]),
    // Pre-releases only where the comparator names one.
    (">=1.0.0-0", ["1.0.0-rc.1", "1.5.0-beta", "1.0.0"], ["0.9.0"]),
    (">=2.0.0-rc.1 <=2.0.0-rc.9", ["2.0.0-rc.1", "2.0.0-rc.9"], ["2.0.0-rc.10", "2.0.0-beta", "2.0.0"]),
  ]

  @Test("Masterminds' constraint tables", arguments: 0..<table.count)
  func constraints(index: Int) throws {
    let row = Self.table[index]
    let range = try SemVerRange(row.range)
    for v in row.inside { #expect(range.contains(SemVer(v)!), "\(v) in \(row.range)") }
    for v in row.outside { #expect(!range.contains(SemVer(v)!), "\(v) not in \(row.range)") }
  }

  @Test("ranges that are not ranges are refused with a reason", arguments: [
    ">=latest", "1.2.3.4", "^", ">= ", "~1.x.3-rc", "1.2.3 - ", String(repeating: "1.0.0 ", count: 65),
    String(repeating: "9", count: 1025), ">=1.2 <2 ||", "|| ^1",
  ])
  func invalid(text: String) {
    #expect(throws: VersionPolicyError.self) { try SemVerRange(text) }
  }
}
