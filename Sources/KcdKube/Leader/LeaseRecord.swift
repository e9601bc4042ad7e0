import KcdCore
import KcdJSON

/// The leader-election record a `coordination.k8s.io/v1` Lease carries (client-go's
/// `LeaderElectionRecord`): who holds it, for how long, since when, last renewed when, and how
/// many times it changed hands. Times are wall-clock epoch seconds, written as MicroTime.
public struct LeaseRecord: Sendable, Equatable {
  public var holder: String
  public var durationSeconds: Int
  public var acquireTime: Double?
  public var renewTime: Double?
  public var transitions: Int

  public init(holder: String, durationSeconds: Int, acquireTime: Double?, renewTime: Double?, transitions: Int) {
    self.holder = holder
    self.durationSeconds = durationSeconds
    self.acquireTime = acquireTime
    self.renewTime = renewTime
    self.transitions = transitions
  }

  /// From a Lease object's spec (missing fields are empty, as client-go reads them).
  public init(lease: JSON) {
    let spec = lease["spec"]
    holder = spec["holderIdentity"].stringValue ?? ""
    durationSeconds = Int(spec["leaseDurationSeconds"].intValue ?? 0)
    acquireTime = spec["acquireTime"].stringValue.flatMap(Timestamps.parse)
    renewTime = spec["renewTime"].stringValue.flatMap(Timestamps.parse)
    transitions = Int(spec["leaseTransitions"].intValue ?? 0)
  }

  /// The Lease's spec.
  public var spec: JSON {
    var s: JSON = ["leaseDurationSeconds": .int(Int64(durationSeconds)), "leaseTransitions": .int(Int64(transitions))]
    // client-go writes an empty holder as absent (omitempty).
    if !holder.isEmpty { s["holderIdentity"] = .string(holder) }
    if let a = acquireTime { s["acquireTime"] = .string(Timestamps.microTime(a)) }
    if let r = renewTime { s["renewTime"] = .string(Timestamps.microTime(r)) }
    return s
  }
}
