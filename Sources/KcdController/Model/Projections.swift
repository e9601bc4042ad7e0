import KcdJSON

/// `spec.history`: with `enabled`, every finished rollout is also kept in the ConfigMap
/// `<kcd>.history` of the KCD's namespace, newest first, at most `limit` entries (status.history
/// keeps the last 10).
public struct HistorySpec: Sendable, Equatable {
  public var limit: Int
  public static let defaultLimit = 50
  public static let maximumLimit = 1000

  public static func configMapName(kcd: String) -> String { "\(kcd).history" }
}

/// `spec.config`: after each successful rollout the deployed version is written to key `key`
/// of ConfigMap `name` in the KCD's namespace (created when absent) — how the original kcd
/// upgraded itself.
public struct ConfigTarget: Sendable, Equatable {
  public var name: String
  public var key: String
}

extension HistorySpec {
  static func parse(_ j: JSON, problems: inout [SpecProblem]) -> HistorySpec? {
    guard j["enabled"].boolValue == true else { return nil }
    let limit = j["limit"].intValue ?? Int64(defaultLimit)
    guard limit >= 1 && limit <= Int64(maximumLimit) else {
      problems.append(SpecProblem(.invalid, "spec.history.limit", "spec.history.limit must be from 1 to \(maximumLimit)"))
      return nil
    }
    return HistorySpec(limit: Int(limit))
  }
}

extension ConfigTarget {
  static func parse(_ j: JSON, problems: inout [SpecProblem]) -> ConfigTarget? {
    guard let name = j["name"].stringValue, !name.isEmpty else { return nil }
    let key = j["key"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "version"
    guard isName(name), name.utf8.count <= 253 else {
      problems.append(SpecProblem(.invalid, "spec.config.name", "spec.config.name \(name.quotedForMessage()) is not a ConfigMap name"))
      return nil
    }
    guard key.utf8.count <= 253, key.utf8.allSatisfy({ isAlphanumeric($0) || $0 == 45 || $0 == 46 || $0 == 95 }) else {
      problems.append(SpecProblem(.invalid, "spec.config.key", "spec.config.key \(key.quotedForMessage()) is not a ConfigMap key ([-._a-zA-Z0-9]+)"))
      return nil
    }
    return ConfigTarget(name: name, key: key)
  }

  static func isAlphanumeric(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) }

  /// A DNS subdomain: lower-case alphanumerics, '-' and '.', starting and ending alphanumeric.
  static func isName(_ s: String) -> Bool {
    let b = Array(s.utf8)
    guard let first = b.first, let last = b.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
    return b.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 46 }
  }
}
