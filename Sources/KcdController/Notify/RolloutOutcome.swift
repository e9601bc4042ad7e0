import KcdCrypto

/// How a rollout ended, as notifications tell it. The machine builds it where it records the
/// end (a finished rollout, or a candidate verification refused), so receivers hear exactly
/// what the status says; the executor only hands it to the `Notifier`.
public struct RolloutOutcome: Sendable, Equatable {
  public var namespace: String
  public var name: String
  /// `.success`, `.failed` or `.rolledBack` (never `.progressing`).
  public var result: RolloutResult
  public var version: String
  public var digest: String
  /// The pinned reference the rollout wrote: `<repository>:<version>@<digest>`.
  public var image: String
  /// `RolloutSucceeded`, `VerificationFailed`, `ProgressDeadlineExceeded`, …
  public var reason: String
  public var message: String
  /// `Kind/name` of each workload of the rollout.
  public var workloads: [String]
  /// `source:deliveryID` of the event that caused it.
  public var trigger: String
  public var startedAt: Double
  public var finishedAt: Double
  public var approvedBy: String?
  /// The last successful version and digest before this outcome (nil: none yet).
  public var previousVersion: String?
  public var previousDigest: String?
  /// What the first workload's container ran before the rollout (what a rollback put back).
  public var previousImage: String?
  /// The receivers the KCD names in `kcd.dev/notify` (nil: no annotation).
  public var requested: [String]?

  public init(namespace: String, name: String, result: RolloutResult, version: String, digest: String, image: String, reason: String,
              message: String, workloads: [String], trigger: String, startedAt: Double, finishedAt: Double) {
    self.namespace = namespace
    self.name = name
    self.result = result
    self.version = version
    self.digest = digest
    self.image = image
    self.reason = reason
    self.message = message
    self.workloads = workloads
    self.trigger = trigger
    self.startedAt = startedAt
    self.finishedAt = finishedAt
  }

  public var key: String { "\(namespace)/\(name)" }

  /// The repository of `image` (the pinned reference without its tag and digest).
  public var repository: String { RolloutOutcome.repository(of: image) }

  /// Started by `kcd rollback` (or the API's rollback): a success puts an earlier version back.
  public var isExplicitRollback: Bool { trigger.hasPrefix(RequestedRollout.rollbackSource + ":") }

  /// The same for every delivery of this outcome (retries, every receiver), different for
  /// every other outcome: receivers deduplicate on it.
  public var id: String {
    let seed = "\(namespace)/\(name)\u{0}\(trigger)\u{0}\(digest)\u{0}\(result.rawValue)"
    return Digest.hex(Digest.sha256(Array(seed.utf8)))
  }

  /// `repo[:tag][@digest]` → `repo` (a registry port is not a tag).
  static func repository(of reference: String) -> String {
    let named = reference.split(separator: "@", maxSplits: 1).first.map(String.init) ?? reference
    let slash = named.lastIndex(of: "/") ?? named.startIndex
    guard let colon = named[slash...].lastIndex(of: ":") else { return named }
    return String(named[..<colon])
  }

  /// `sha256:0b31b1c02ff4` — enough to tell digests apart in a message.
  public var shortDigest: String { String(digest.prefix(19)) }
}
