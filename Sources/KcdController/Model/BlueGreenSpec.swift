import KcdJSON

/// `spec.strategy.blueGreen` (SPEC §2): the Service whose selector decides which of two
/// Deployments is live, the pod-template labels that tell the two apart, an optional Service
/// for trying the idle side before the switch, and whether the old side goes to zero after it.
public struct BlueGreenSpec: Sendable, Equatable {
  public var serviceName: String
  public var verificationServiceName: String?
  public var labelNames: [String]
  public var scaleDown: Bool

  public init(serviceName: String, verificationServiceName: String? = nil, labelNames: [String], scaleDown: Bool = false) {
    self.serviceName = serviceName
    self.verificationServiceName = verificationServiceName
    self.labelNames = labelNames
    self.scaleDown = scaleDown
  }

  /// Reads `strategy.blueGreen` of a ServiceBlueGreen KCD; every problem is listed (invalid:
  /// the user has to fix it), and the spec is nil when there is one.
  static func parse(_ b: JSON) -> (BlueGreenSpec?, [SpecProblem]) {
    let field = "spec.strategy.blueGreen"
    var problems: [SpecProblem] = []
    func invalid(_ f: String, _ message: String) { problems.append(SpecProblem(.invalid, f, message)) }
    guard b.objectValue != nil else {
      return (nil, [SpecProblem(.invalid, field, "\(field) (serviceName, labelNames) is required with strategy.kind ServiceBlueGreen")])
    }
    let service = b["serviceName"].stringValue ?? ""
    if service.isEmpty {
      invalid("\(field).serviceName", "\(field).serviceName is required: the Service whose selector picks the live Deployment")
    } else if !isServiceName(service) {
      invalid("\(field).serviceName", "\(field).serviceName \(service.quotedForMessage()) is not a Service name")
    }
    let verification = b["verificationServiceName"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
    if let v = verification, !isServiceName(v) {
      invalid("\(field).verificationServiceName", "\(field).verificationServiceName \(v.quotedForMessage()) is not a Service name")
    } else if let v = verification, v == service {
      invalid("\(field).verificationServiceName", "\(field).verificationServiceName must name another Service than serviceName")
    }
    let items = b["labelNames"].arrayValue ?? []
    let labels = items.compactMap(\.stringValue)
    if items.isEmpty || items.count > 16 || labels.count != items.count {
      invalid("\(field).labelNames", "\(field).labelNames must list 1 to 16 label names (the pod-template labels that tell the two Deployments apart)")
    } else if let bad = labels.first(where: { !isLabelKey($0) }) {
      invalid("\(field).labelNames", "\(field).labelNames: \(bad.quotedForMessage()) is not a label name")
    } else if Set(labels).count != labels.count {
      invalid("\(field).labelNames", "\(field).labelNames lists a label twice")
    }
    guard problems.isEmpty else { return (nil, problems) }
    return (BlueGreenSpec(serviceName: service, verificationServiceName: verification, labelNames: labels, scaleDown: b["scaleDown"].boolValue ?? false), [])
  }

  /// A DNS-1035 label, as Service names are.
  static func isServiceName(_ s: String) -> Bool {
    let u = Array(s.utf8)
    guard (1...63).contains(u.count), let first = u.first, let last = u.last, (97...122).contains(first) else { return false }
    guard (97...122).contains(last) || (48...57).contains(last) else { return false }
    return u.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
  }

  /// `[prefix/]name`: a DNS subdomain prefix, and a name of at most 63 alphanumerics, `-`, `_`, `.`
  /// that starts and ends alphanumeric.
  static func isLabelKey(_ s: String) -> Bool {
    let parts = s.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2, let name = parts.last else { return false }
    func alnum(_ c: UInt8) -> Bool { (97...122).contains(c) || (65...90).contains(c) || (48...57).contains(c) }
    let n = Array(name.utf8)
    guard (1...63).contains(n.count), alnum(n.first!), alnum(n.last!), n.allSatisfy({ alnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }) else { return false }
    guard parts.count == 2 else { return true }
    let prefix = Array(parts[0].utf8)
    guard (1...253).contains(prefix.count) else { return false }
    return parts[0].split(separator: ".", omittingEmptySubsequences: false).allSatisfy { p in
      let b = Array(p.utf8)
      return (1...63).contains(b.count) && b.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
        && b.first != 45 && b.last != 45
    }
  }
}
