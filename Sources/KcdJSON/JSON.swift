/// A JSON document kept as a value tree, so Kubernetes objects can be stored, patched and
/// re-serialised without a typed model that would drop fields it does not know.
public enum JSON: Sendable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSON])
  case object([String: JSON])
}

extension JSON: Equatable {
  /// Numbers compare by value (`1 == 1.0`), as RFC 6902 `test` requires. An int and a double
  /// are compared exactly: converting the int to a double would round past 2^53.
  public static func == (lhs: JSON, rhs: JSON) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case let (.bool(a), .bool(b)): return a == b
    case let (.int(a), .int(b)): return a == b
    case let (.double(a), .double(b)): return a == b
    case let (.int(a), .double(b)): return Int64(exactly: b) == a
    case let (.double(a), .int(b)): return Int64(exactly: a) == b
    case let (.string(a), .string(b)): return a == b
    case let (.array(a), .array(b)): return a == b
    case let (.object(a), .object(b)): return a == b
    default: return false
    }
  }
}

extension JSON {
  public var isNull: Bool { if case .null = self { return true } else { return false } }

  public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }

  public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

  public var intValue: Int64? {
    switch self {
    case .int(let i): return i
    case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
    default: return nil
    }
  }

  public var doubleValue: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }

  public var arrayValue: [JSON]? { if case .array(let a) = self { return a } else { return nil } }

  public var objectValue: [String: JSON]? { if case .object(let o) = self { return o } else { return nil } }

  /// Member access that yields `.null` for anything missing, so lookups chain:
  /// `object["metadata"]["name"].stringValue`.
  public subscript(key: String) -> JSON {
    get {
      if case .object(let o) = self { return o[key] ?? .null }
      return .null
    }
    set {
      guard case .object(var o) = self else {
        if case .null = self { self = .object([key: newValue]) }
        return
      }
      o[key] = newValue
      self = .object(o)
    }
  }

  public subscript(index: Int) -> JSON {
    if case .array(let a) = self, a.indices.contains(index) { return a[index] }
    return .null
  }

  /// Reads a nested member; `.null` when any step is missing.
  public subscript(path path: [String]) -> JSON {
    get {
      var node = self
      for key in path { node = node[key] }
      return node
    }
    set {
      guard let first = path.first else { self = newValue; return }
      var child = self[first]
      child[path: Array(path.dropFirst())] = newValue
      if case .null = self { self = .object([:]) }
      self[first] = child
    }
  }

  /// Removes a member from an object; no effect on other values.
  public mutating func removeValue(forKey key: String) {
    guard case .object(var o) = self else { return }
    o.removeValue(forKey: key)
    self = .object(o)
  }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral,
  ExpressibleByFloatLiteral, ExpressibleByStringInterpolation
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int64) { self = .int(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(arrayLiteral elements: JSON...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, JSON)...) {
    var o: [String: JSON] = [:]
    for (k, v) in elements { o[k] = v }
    self = .object(o)
  }
  public init(nilLiteral: ()) { self = .null }
  public init(floatLiteral value: Double) { self = .double(value) }
}
