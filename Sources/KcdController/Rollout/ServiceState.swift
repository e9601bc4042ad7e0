import KcdJSON

/// A Service as a blue-green rollout reads it: always fresh from the API server (a GET in the
/// pass that uses it), never from a cache, because a switch is decided on it.
public struct ServiceState: Sendable, Equatable {
  public var name: String
  public var uid: String
  public var resourceVersion: String
  public var selector: [String: String]

  public init(name: String, uid: String = "", resourceVersion: String, selector: [String: String]) {
    self.name = name
    self.uid = uid
    self.resourceVersion = resourceVersion
    self.selector = selector
  }

  public init(json o: JSON) {
    let m = o["metadata"]
    self.init(name: m["name"].stringValue ?? "", uid: m["uid"].stringValue ?? "", resourceVersion: m["resourceVersion"].stringValue ?? "",
              selector: (o["spec"]["selector"].objectValue ?? [:]).compactMapValues(\.stringValue))
  }

  /// Whether the selector has every one of these label values (one side's `labelNames` values).
  public func selects(_ labels: [String: String]) -> Bool {
    !labels.isEmpty && labels.allSatisfy { selector[$0.key] == $0.value }
  }
}

/// What reading a Service answered.
public enum ServiceRead: Sendable, Equatable {
  case found(ServiceState)
  /// 404: it does not exist.
  case absent
  /// The API refused the read (403), with why.
  case unreadable(String)

  var service: ServiceState? { if case .found(let s) = self { return s } else { return nil } }

  /// Why the Service cannot be used, for a message (nil when found).
  func problem(_ name: String, namespace: String) -> String? {
    switch self {
    case .found: return nil
    case .absent: return "Service \(namespace)/\(name) does not exist"
    case .unreadable(let why): return "Service \(namespace)/\(name) cannot be read: \(why)"
    }
  }
}
