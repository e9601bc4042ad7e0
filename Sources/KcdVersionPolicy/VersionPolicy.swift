import KcdPattern

/// How stream mode (`spec.versionPolicy`) reads and orders tags: which tags are versions and
/// which is newest. Pure: the same tags give the same answer anywhere.
///
/// - `semver`: SemVer 2.0.0 precedence, optionally within a `range`.
/// - `numeric`: the value as a non-negative decimal number (`build-10` after `build-9` with
///   `extract`).
/// - `alphabetical`: byte-wise order, the last wins (RFC 3339 timestamps, CalVer).
///
/// `extract` is a pattern with a named group `v`: a tag is a candidate only when the pattern
/// matches somewhere in it (anchor it with `^…$` to match the whole tag), and `v`'s text is
/// what is ordered. Tags that do not parse, or fall outside the range, are not candidates.
/// Equal versions spelled differently (`v1.2.3`, `1.2.3`) order by their text, so the choice is
/// the same everywhere.
public struct VersionPolicy: Sendable, Hashable, CustomStringConvertible {
  public enum Kind: String, Sendable, CaseIterable {
    case semver, numeric, alphabetical
  }

  public var kind: Kind
  public var range: SemVerRange?
  public var extract: Pattern?

  /// Longest tag the OCI distribution spec allows.
  public static let maximumTagLength = 128

  public init(kind: Kind, range: SemVerRange? = nil, extract: Pattern? = nil) {
    self.kind = kind
    self.range = range
    self.extract = extract
  }

  /// From the spec's strings; the error names what is wrong.
  public init(kind: String, range: String?, extract: String?) throws(VersionPolicyError) {
    guard let k = Kind(rawValue: kind) else {
      throw VersionPolicyError("kind \(kind.quoted) is not one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    var r: SemVerRange?
    if let range, !range.isEmpty {
      guard k == .semver else { throw VersionPolicyError("range applies to kind semver only") }
      r = try SemVerRange(range)
    }
    var p: Pattern?
    if let extract, !extract.isEmpty {
      do { p = try Pattern(extract) } catch { throw VersionPolicyError("extract: \(error.description)") }
    }
    self.init(kind: k, range: r, extract: p)
    if let p, !p.hasGroup(named: "v") { throw VersionPolicyError("extract must name the part to compare with a group (?<v>…)") }
  }

  /// The orderable version of a tag, or nil when the tag is not a candidate.
  public func key(_ tag: String) -> VersionKey? {
    guard !tag.isEmpty, tag.utf8.count <= VersionPolicy.maximumTagLength else { return nil }
    var value = Substring(tag)
    if let extract {
      guard let m = extract.firstMatch(tag), let v = m["v"] else { return nil }
      value = v
    }
    switch kind {
    case .semver:
      guard let v = SemVer(value) else { return nil }
      if let range, !range.contains(v) { return nil }
      return .semver(v)
    case .numeric:
      return DecimalNumber(value).map(VersionKey.numeric)
    case .alphabetical:
      return value.isEmpty ? nil : .alphabetical(Array(value.utf8))
    }
  }

  public func accepts(_ tag: String) -> Bool { key(tag) != nil }

  /// The newest candidate among `tags`, nil when none is.
  public func newest(_ tags: some Sequence<String>) -> String? {
    var best: (tag: String, key: VersionKey)?
    for tag in tags {
      guard let k = key(tag) else { continue }
      if let b = best, !VersionPolicy.isAfter(k, tag, b.key, b.tag) { continue }
      best = (tag, k)
    }
    return best?.tag
  }

  /// Orders two candidate tags: negative when `a` is older, 0 for the same version, positive
  /// when `a` is newer; nil when either is not a candidate.
  public func compare(_ a: String, _ b: String) -> Int? {
    guard let ka = key(a), let kb = key(b) else { return nil }
    return ka < kb ? -1 : (kb < ka ? 1 : 0)
  }

  static func isAfter(_ k: VersionKey, _ tag: String, _ other: VersionKey, _ otherTag: String) -> Bool {
    if other < k { return true }
    if k < other { return false }
    return Array(otherTag.utf8).lexicographicallyPrecedes(Array(tag.utf8))
  }

  public var description: String {
    var s = kind.rawValue
    if let range { s += " \(range.source)" }
    if let extract { s += " extract \(extract.source)" }
    return s
  }
}

/// A tag's version as a policy orders it.
public enum VersionKey: Sendable, Hashable, Comparable {
  case semver(SemVer)
  case numeric(DecimalNumber)
  case alphabetical([UInt8])

  public static func < (a: VersionKey, b: VersionKey) -> Bool {
    switch (a, b) {
    case (.semver(let x), .semver(let y)): return x < y
    case (.numeric(let x), .numeric(let y)): return x < y
    case (.alphabetical(let x), .alphabetical(let y)): return x.lexicographicallyPrecedes(y)
    // One policy yields one kind; mixed kinds do not occur.
    default: return false
    }
  }
}
