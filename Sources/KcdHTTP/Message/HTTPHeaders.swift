/// Ordered header fields with case-insensitive lookup; order and duplicates are kept because
/// smuggling checks (two `Content-Length` fields) must see them.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
  public private(set) var fields: [(name: String, value: String)] = []

  public init() {}

  public init(dictionaryLiteral elements: (String, String)...) {
    for (n, v) in elements { add(n, v) }
  }

  public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

  /// Replaces every field of that name with one field.
  public mutating func set(_ name: String, _ value: String) {
    remove(name)
    fields.append((name, value))
  }

  public mutating func remove(_ name: String) {
    fields.removeAll { HTTPHeaders.same($0.name, name) }
  }

  /// The first value of a field, or nil.
  public subscript(name: String) -> String? {
    fields.first { HTTPHeaders.same($0.name, name) }?.value
  }

  public func values(_ name: String) -> [String] {
    fields.filter { HTTPHeaders.same($0.name, name) }.map(\.value)
  }

  public func contains(_ name: String) -> Bool { self[name] != nil }

  public var count: Int { fields.count }

  public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

  static func same(_ a: String, _ b: String) -> Bool {
    // Lengths first (most names differ there), then bytes, case-folded only where they differ.
    guard a.utf8.count == b.utf8.count else { return false }
    var x = a, y = b
    return x.withUTF8 { p in
      y.withUTF8 { q in
        for i in 0..<p.count where p[i] != q[i] && lower(p[i]) != lower(q[i]) { return false }
        return true
      }
    }
  }

  static func lower(_ c: UInt8) -> UInt8 { (c >= 65 && c <= 90) ? c + 32 : c }
}
