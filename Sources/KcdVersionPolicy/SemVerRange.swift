/// A SemVer range in the constraint syntax of Masterminds semver (what Flux's `semver.range`
/// and Argo CD Image Updater's constraints are): comparators joined by spaces or commas (all
/// must hold), alternatives joined by `||`; operators `=` `!=` `>` `<` `>=` `=>` `<=` `=<`,
/// `~` (`~>`) and `^`; wildcards `x` `X` `*` and short versions (`1.2` is `1.2.x`); hyphen
/// ranges (`1.2 - 1.4.5`). A pre-release version passes a comparator only when that
/// comparator's own version names a pre-release (`>=1.0.0-0`), as in Masterminds v3: so
/// `>=1.4.0 <2.0.0` never picks `2.0.0-rc.1` or `1.5.0-beta`.
public struct SemVerRange: Sendable, Hashable, CustomStringConvertible {
  /// Alternatives, each a list of comparators that must all hold.
  let alternatives: [[Comparator]]
  public let source: String

  public static let maximumLength = 1024
  static let maximumComparators = 64

  public var description: String { source }

  public init(_ text: String) throws(VersionPolicyError) {
    guard text.utf8.count <= SemVerRange.maximumLength else {
      throw VersionPolicyError("range is longer than \(SemVerRange.maximumLength) bytes")
    }
    source = text
    var alternatives: [[Comparator]] = []
    var count = 0
    let groups = SemVerRange.split(text, on: "||")
    // "" alone means any version; an empty alternative next to others is a mistake.
    if groups.count > 1, groups.contains(where: { $0.allSatisfy { $0 == " " || $0 == "," || $0 == "\t" } }) {
      throw VersionPolicyError("range \(text.quoted) has an empty alternative")
    }
    for group in groups {
      let comparators = try SemVerRange.parseGroup(group)
      count += comparators.count
      guard count <= SemVerRange.maximumComparators else { throw VersionPolicyError("range has more than \(SemVerRange.maximumComparators) comparators") }
      alternatives.append(comparators)
    }
    self.alternatives = alternatives
  }

  /// Whether the version is in the range.
  public func contains(_ v: SemVer) -> Bool {
    alternatives.contains { group in group.allSatisfy { $0.matches(v) } }
  }

  public static func == (a: SemVerRange, b: SemVerRange) -> Bool { a.source == b.source }

  public func hash(into hasher: inout Hasher) { hasher.combine(source) }

  static func split(_ text: String, on separator: String) -> [String] {
    var parts: [String] = []
    var rest = Substring(text)
    while let r = rest.firstRange(of: separator) {
      parts.append(String(rest[..<r.lowerBound]))
      rest = rest[r.upperBound...]
    }
    parts.append(String(rest))
    return parts
  }

  static let operators = ["!=", ">=", "=>", "<=", "=<", "~>", "=", ">", "<", "~", "^"]

  /// One `||` alternative: tokens separated by spaces or commas; an operator standing alone is
  /// joined to the version after it (`>= 1.2`); `A - B` is a hyphen range.
  static func parseGroup(_ group: String) throws(VersionPolicyError) -> [Comparator] {
    var tokens = group.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
    var joined: [String] = []
    while !tokens.isEmpty {
      var t = tokens.removeFirst()
      if operators.contains(t), !tokens.isEmpty { t += tokens.removeFirst() }
      joined.append(t)
    }
    if joined.isEmpty { return [Comparator(op: .any, version: Bound.any)] }
    var out: [Comparator] = []
    var i = 0
    while i < joined.count {
      if i + 2 < joined.count, joined[i + 1] == "-" {
        let low = try Bound(joined[i]), high = try Bound(joined[i + 2])
        out.append(Comparator(op: .greaterOrEqual, version: low))
        out.append(Comparator(op: .lessOrEqual, version: high))
        i += 3
        continue
      }
      out.append(try Comparator(joined[i]))
      i += 1
    }
    return out
  }

  /// A version in a comparator: concrete up to `level` parts (0 for `*`), the rest wildcards.
  struct Bound: Sendable, Equatable {
    var version: SemVer
    var level: Int

    static let any = Bound(version: SemVer(major: 0), level: 0)

    init(version: SemVer, level: Int) {
      self.version = version
      self.level = level
    }

    init(_ text: String) throws(VersionPolicyError) {
      var s = Substring(text)
      if s.first == "v" { s = s.dropFirst() }
      let head = s.prefix { $0 != "-" && $0 != "+" }
      let parts = head.split(separator: ".", omittingEmptySubsequences: false)
      guard (1...3).contains(parts.count) else { throw VersionPolicyError("\(text.quoted) is not a version") }
      let isWildcard: (Substring) -> Bool = { $0 == "x" || $0 == "X" || $0 == "*" }
      let numbers = parts.prefix { !isWildcard($0) }.map(String.init)
      let level = numbers.count
      // After a wildcard only wildcards; a wildcard version takes no pre-release or build.
      guard parts.dropFirst(level).allSatisfy(isWildcard), level == parts.count || head.count == s.count else {
        throw VersionPolicyError("\(text.quoted) is not a version")
      }
      if level == 0 {
        self = .any
        return
      }
      let written = numbers.joined(separator: ".") + s.dropFirst(head.count)
      guard let v = SemVer(written) else { throw VersionPolicyError("\(text.quoted) is not a version") }
      self.init(version: v, level: level)
    }

    var isPartial: Bool { level < 3 }

    /// The first version above everything this bound's wildcard covers (`1.2` → 1.3.0).
    var upper: SemVer? {
      switch level {
      case 1: return SemVer(major: version.major &+ 1)
      case 2: return SemVer(major: version.major, minor: version.minor &+ 1)
      default: return nil
      }
    }
  }

  struct Comparator: Sendable, Equatable {
    enum Op: Sendable, Equatable { case any, equal, notEqual, greater, less, greaterOrEqual, lessOrEqual, tilde, caret }

    var op: Op
    var version: Bound

    init(op: Op, version: Bound) {
      self.op = op
      self.version = version
    }

    init(_ token: String) throws(VersionPolicyError) {
      let table: [(String, Op)] = [("!=", .notEqual), (">=", .greaterOrEqual), ("=>", .greaterOrEqual), ("<=", .lessOrEqual),
                                   ("=<", .lessOrEqual), ("~>", .tilde), ("=", .equal), (">", .greater), ("<", .less), ("~", .tilde), ("^", .caret)]
      var op = Op.equal
      var rest = Substring(token)
      for (prefix, o) in table where rest.hasPrefix(prefix) {
        op = o
        rest = rest.dropFirst(prefix.count)
        break
      }
      version = try Bound(String(rest))
      self.op = version.level == 0 && op == .equal ? .any : op
    }

    func matches(_ v: SemVer) -> Bool {
      // A pre-release only where the comparator asks for pre-releases.
      if v.isPrerelease && !version.version.isPrerelease { return false }
      let c = version.version
      switch op {
      case .any: return true
      case .equal: return inCovered(v)
      case .notEqual: return !inCovered(v)
      case .greater:
        if version.level == 0 { return false }
        if let upper = version.upper { return v >= upper }
        return v > c
      case .less: return version.level > 0 && v < c
      case .greaterOrEqual: return v >= c
      case .lessOrEqual:
        if version.level == 0 { return true }
        if let upper = version.upper { return v < upper }
        return v <= c
      case .tilde:
        if version.level == 0 { return true }
        let upper = version.level == 1 ? SemVer(major: c.major &+ 1) : SemVer(major: c.major, minor: c.minor &+ 1)
        return v >= c && v < upper
      case .caret:
        if version.level == 0 { return true }
        let upper: SemVer
        if c.major > 0 || version.level == 1 {
          upper = SemVer(major: c.major &+ 1)
        } else if c.minor > 0 || version.level == 2 {
          upper = SemVer(major: 0, minor: c.minor &+ 1)
        } else {
          upper = SemVer(major: 0, minor: 0, patch: c.patch &+ 1)
        }
        return v >= c && v < upper
      }
    }

    /// `=1.2` covers 1.2.x; `=1.2.3` only 1.2.3.
    func inCovered(_ v: SemVer) -> Bool {
      guard version.level > 0 else { return true }
      if let upper = version.upper { return v >= version.version && v < upper }
      return v == version.version
    }
  }
}

extension String {
  var quoted: String { "\"\(self.count > 64 ? String(self.prefix(64)) + "…" : self)\"" }
}
