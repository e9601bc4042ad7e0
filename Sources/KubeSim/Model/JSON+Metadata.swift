import KcdJSON

/// Shorthands for the `metadata` fields KubeSim reads and writes all the time.
extension JSON {
  var name: String { self["metadata"]["name"].stringValue ?? "" }
  var namespace: String { self["metadata"]["namespace"].stringValue ?? "" }
  var uid: String { self["metadata"]["uid"].stringValue ?? "" }
  var resourceVersion: String? { self["metadata"]["resourceVersion"].stringValue }
  var generation: Int64 { self["metadata"]["generation"].intValue ?? 0 }
  var labels: [String: String] {
    guard let o = self["metadata"]["labels"].objectValue else { return [:] }
    var out: [String: String] = [:]
    for (k, v) in o { if let s = v.stringValue { out[k] = s } }
    return out
  }
  var annotations: [String: String] {
    guard let o = self["metadata"]["annotations"].objectValue else { return [:] }
    var out: [String: String] = [:]
    for (k, v) in o { if let s = v.stringValue { out[k] = s } }
    return out
  }
  var finalizers: [String] { self["metadata"]["finalizers"].arrayValue?.compactMap(\.stringValue) ?? [] }
  var isBeingDeleted: Bool { !self["metadata"]["deletionTimestamp"].isNull }
  var ownerUIDs: [String] { self["metadata"]["ownerReferences"].arrayValue?.compactMap { $0["uid"].stringValue } ?? [] }

  /// The object without `metadata` and `status`: what a generation counts changes of.
  var specPart: JSON {
    guard case .object(var o) = self else { return self }
    o.removeValue(forKey: "metadata")
    o.removeValue(forKey: "status")
    o.removeValue(forKey: "apiVersion")
    o.removeValue(forKey: "kind")
    return .object(o)
  }

  static func labelMap(_ labels: [String: String]) -> JSON {
    .object(labels.mapValues { .string($0) })
  }
}

/// Random identifiers in the shapes Kubernetes uses.
enum Identifiers {
  static let nameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

  /// Suffix for `generateName` and pod names: five characters of the apiserver's alphabet.
  static func suffix(_ count: Int = 5) -> String {
    var g = SystemRandomNumberGenerator()
    return String((0..<count).map { _ in nameAlphabet[Int(g.next() % UInt64(nameAlphabet.count))] })
  }

  static func uuid() -> String {
    var g = SystemRandomNumberGenerator()
    var bytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: g.next()) }
    bytes[6] = (bytes[6] & 0x0F) | 0x40
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let hex = bytes.map { b -> String in let s = String(b, radix: 16); return s.count == 1 ? "0" + s : s }.joined()
    let c = Array(hex)
    return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
  }

  /// A stable short hash (FNV-1a) of bytes, rendered in the name alphabet like pod-template-hash.
  static func hash(_ bytes: [UInt8]) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    var out = ""
    for _ in 0..<10 { out.append(nameAlphabet[Int(h % UInt64(nameAlphabet.count))]); h /= UInt64(nameAlphabet.count) }
    return out
  }

  static func isDNSSubdomain(_ s: String) -> Bool {
    guard !s.isEmpty, s.utf8.count <= 253 else { return false }
    return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isLabelPart(Substring($0), max: 63) }
  }

  static func isDNSLabel(_ s: String) -> Bool { isLabelPart(Substring(s), max: 63) }

  static func isLabelPart(_ s: Substring, max: Int) -> Bool {
    let b = Array(s.utf8)
    guard !b.isEmpty, b.count <= max else { return false }
    func alnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
    guard alnum(b.first!), alnum(b.last!) else { return false }
    return b.allSatisfy { alnum($0) || $0 == 0x2D }
  }
}
