import KcdCore
import KcdJSON

/// `status.verification`: the candidate being verified before anything is patched, and what
/// each check said so far. Written when verification starts (currStatus Verifying), so a new
/// leader resumes it: checks without a result run again (each is safe to repeat).
public struct Verification: Sendable, Equatable {
  public enum Result: String, Sendable { case passed = "Passed", failed = "Failed" }

  /// When the checks run: before anything is patched (`spec.verify`), once the canaries run
  /// (`strategy.canary.verify`), once every workload runs the new version, before the rollout
  /// is a success or a blue-green switch (`strategy.verify`), and after that switch.
  public enum Phase: String, Sendable {
    case beforeRollout = "BeforeRollout", canary = "Canary", afterRollout = "AfterRollout"
    /// ServiceBlueGreen: `strategy.verify` again once the live Service selects the new side,
    /// before the old side is scaled down (a failure switches back).
    case afterSwitch = "AfterSwitch"
  }
  public var phase: Phase = .beforeRollout

  public struct Check: Sendable, Equatable {
    public var kind: String
    public var result: Result?
    public var message: String?
  }

  /// The request (delivery id) verified; a newer request replaces the verification.
  public var requestID: String
  public var trigger: String
  public var digest: String
  public var version: String
  public var image: String
  /// The KCD generation whose checks these are (an edited verify list starts over).
  public var generation: Int64
  public var startedAt: Double
  public var receivedAt: Double
  public var checks: [Check]

  public var passed: Bool { checks.allSatisfy { $0.result == .passed } }
  public var failure: Check? { checks.first { $0.result == .failed } }

  init(requestID: String, trigger: String, digest: String, version: String, image: String, generation: Int64, startedAt: Double,
       receivedAt: Double, steps: [VerifyStep]) {
    self.requestID = requestID
    self.trigger = trigger
    self.digest = digest
    self.version = version
    self.image = image
    self.generation = generation
    self.startedAt = startedAt
    self.receivedAt = receivedAt
    checks = steps.map { Check(kind: $0.kind) }
  }

  init?(json v: JSON) {
    guard let id = v["requestID"].stringValue, let digest = v["digest"].stringValue, let image = v["image"].stringValue else { return nil }
    requestID = id
    trigger = v["trigger"].stringValue ?? ""
    self.digest = digest
    version = v["version"].stringValue ?? ""
    self.image = image
    generation = v["generation"].intValue ?? 0
    startedAt = v["startedAt"].stringValue.flatMap(Timestamps.parse) ?? 0
    receivedAt = v["receivedAt"].stringValue.flatMap(Timestamps.parse) ?? 0
    phase = v["phase"].stringValue.flatMap(Phase.init(rawValue:)) ?? .beforeRollout
    checks = (v["checks"].arrayValue ?? []).prefix(64).map { c in
      Check(kind: c["kind"].stringValue ?? "", result: c["result"].stringValue.flatMap(Result.init(rawValue:)), message: c["message"].stringValue)
    }
  }

  var json: JSON {
    ["requestID": .string(requestID), "phase": .string(phase.rawValue), "trigger": .string(trigger), "digest": .string(digest), "version": .string(version), "image": .string(image),
     "generation": .int(generation), "startedAt": .string(Timestamps.microTime(startedAt)), "receivedAt": .string(Timestamps.microTime(receivedAt)),
     "checks": .array(checks.map { c in
       var j: JSON = ["kind": .string(c.kind)]
       if let r = c.result { j["result"] = .string(r.rawValue) }
       if let m = c.message { j["message"] = .string(m) }
       return j
     })]
  }
}
