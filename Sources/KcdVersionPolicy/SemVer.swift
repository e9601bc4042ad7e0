/// A Semantic Versioning 2.0.0 version as tags spell it: `1.2.3`, `v1.2.3-rc.1`, and (as
/// Masterminds semver, which Flux and Argo CD Image Updater use, reads them) the short forms
/// `1` and `1.2`, whose missing parts are 0. Build metadata (`+…`) is kept but never ordered
/// (OCI tags cannot hold a `+`; it only appears in extracted values).
///
/// Ordering is SemVer §11: major, minor, patch numerically; a pre-release sorts before its
/// release; pre-release identifiers left to right, numeric ones numerically and below
/// alphanumeric ones, which compare in ASCII order; more identifiers sort higher when all
/// before are equal.
public struct SemVer: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var major: UInt64
  public var minor: UInt64
  public var patch: UInt64
  public var prerelease: [Identifier]
  public var build: String?
  /// How many of major.minor.patch were written (1–3): a range's `1.2` means `1.2.x`.
  public var writtenParts: Int

  public enum Identifier: Sendable, Hashable, Comparable, CustomStringConvertible {
    case numeric(UInt64)
    case alphanumeric(String)

    public static func < (a: Identifier, b: Identifier) -> Bool {
      switch (a, b) {
      case (.numeric(let x), .numeric(let y)): return x < y
      case (.numeric, .alphanumeric): return true
      case (.alphanumeric, .numeric): return false
      case (.alphanumeric(let x), .alphanumeric(let y)): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
      }
    }

    public var description: String {
      switch self {
      case .numeric(let n): return String(n)
      case .alphanumeric(let s): return s
      }
    }
  }

  public init(major: UInt64, minor: UInt64 = 0, patch: UInt64 = 0, prerelease: [Identifier] = [], build: String? = nil) {
    self.major = major
    self.minor = minor
    self.patch = patch
    self.prerelease = prerelease
    self.build = build
    writtenParts = 3
  }

  /// Parses a version; nil when the text is not one. A leading `v` is accepted. Core numbers may
  /// carry leading zeros (Masterminds reads `01.2.3` as 1.2.3); pre-release numeric identifiers
  /// may not (SemVer §9, and Masterminds v3 refuses them).
  public init?(_ text: some StringProtocol) {
    var s = Substring(text)
    guard s.utf8.count <= 256 else { return nil }
    if s.first == "v" { s = s.dropFirst() }
    var build: String?
    if let plus = s.firstIndex(of: "+") {
      let b = s[s.index(after: plus)...]
      guard SemVer.validIdentifiers(b, numericLeadingZeros: true) else { return nil }
      build = String(b)
      s = s[..<plus]
    }
    var pre: [Identifier] = []
    if let dash = s.firstIndex(of: "-") {
      let p = s[s.index(after: dash)...]
      guard SemVer.validIdentifiers(p, numericLeadingZeros: false) else { return nil }
      pre = p.split(separator: ".").map { id in
        if id.utf8.allSatisfy(SemVer.isDigit), let n = UInt64(id) { return .numeric(n) }
        return .alphanumeric(String(id))
      }
      s = s[..<dash]
    }
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...3).contains(parts.count) else { return nil }
    var numbers: [UInt64] = []
    for part in parts {
      guard !part.isEmpty, part.utf8.allSatisfy(SemVer.isDigit), let n = UInt64(part) else { return nil }
      numbers.append(n)
    }
    while numbers.count < 3 { numbers.append(0) }
    self.init(major: numbers[0], minor: numbers[1], patch: numbers[2], prerelease: pre, build: build)
    writtenParts = parts.count
  }

  static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

  /// Dot-separated non-empty identifiers of `[0-9A-Za-z-]`.
  static func validIdentifiers(_ s: Substring, numericLeadingZeros: Bool) -> Bool {
    let ids = s.split(separator: ".", omittingEmptySubsequences: false)
    return !ids.isEmpty && ids.allSatisfy { id in
      guard !id.isEmpty, id.utf8.allSatisfy({ isDigit($0) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 }) else { return false }
      if !numericLeadingZeros, id.utf8.count > 1, id.utf8.first == 48, id.utf8.allSatisfy(isDigit) { return false }
      if id.utf8.allSatisfy(isDigit), UInt64(id) == nil, !numericLeadingZeros { return false }
      return true
    }
  }

  public var isPrerelease: Bool { !prerelease.isEmpty }

  /// Precedence order (build metadata ignored).
  public static func < (a: SemVer, b: SemVer) -> Bool { compare(a, b) < 0 }

  /// Equal precedence, whatever the spelling (`v1.2.3` and `1.2.3+b1` equal `1.2.3`).
  public static func == (a: SemVer, b: SemVer) -> Bool { compare(a, b) == 0 }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(major)
    hasher.combine(minor)
    hasher.combine(patch)
    hasher.combine(prerelease)
  }

  /// -1, 0 or 1 by SemVer precedence.
  public static func compare(_ a: SemVer, _ b: SemVer) -> Int {
    for (x, y) in [(a.major, b.major), (a.minor, b.minor), (a.patch, b.patch)] where x != y { return x < y ? -1 : 1 }
    switch (a.prerelease.isEmpty, b.prerelease.isEmpty) {
    case (true, true): return 0
    case (true, false): return 1
    case (false, true): return -1
    case (false, false): break
    }
    for (x, y) in zip(a.prerelease, b.prerelease) where x != y { return x < y ? -1 : 1 }
    return a.prerelease.count == b.prerelease.count ? 0 : (a.prerelease.count < b.prerelease.count ? -1 : 1)
  }

  public var description: String {
    var s = "\(major).\(minor).\(patch)"
    if !prerelease.isEmpty { s += "-" + prerelease.map(\.description).joined(separator: ".") }
    if let build { s += "+" + build }
    return s
  }
}
