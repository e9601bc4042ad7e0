/// A status condition in metav1.Condition shape. `lastTransitionTime` moves only when the
/// status does (reason and message follow every update).
public struct Condition: Sendable, Equatable {
  public enum Status: String, Sendable { case `true` = "True", `false` = "False", unknown = "Unknown" }

  public var type: String
  public var status: Status
  public var reason: String
  public var message: String
  public var observedGeneration: Int64
  /// Seconds since the epoch (RFC 3339, whole seconds, on the wire).
  public var lastTransitionTime: Double

  public init(type: String, status: Status, reason: String, message: String, observedGeneration: Int64, lastTransitionTime: Double) {
    self.type = type
    self.status = status
    self.reason = reason
    self.message = message
    self.observedGeneration = observedGeneration
    self.lastTransitionTime = lastTransitionTime
  }
}

extension [Condition] {
  public subscript(type type: String) -> Condition? { first { $0.type == type } }

  /// Sets a condition by type, keeping its lastTransitionTime unless the status changed.
  public mutating func set(_ type: String, _ status: Condition.Status, reason: String, message: String, generation: Int64, now: Double) {
    let old = self[type: type]
    let since = old.map { $0.status == status ? $0.lastTransitionTime : now } ?? now
    let c = Condition(type: type, status: status, reason: reason, message: String(message.prefix(4096)), observedGeneration: generation,
                      lastTransitionTime: since)
    if let i = firstIndex(where: { $0.type == type }) { self[i] = c } else { append(c) }
  }
}
