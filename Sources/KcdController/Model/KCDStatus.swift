/// What kcd says about a KCD (`status`; kcd is its only writer). Field names are the original
/// kcd's where it had them. JSON conversion is in `KCDStatus+JSON.swift`.
public struct KCDStatus: Sendable, Equatable {
  /// `currStatus` (contract: SPEC §2).
  public enum Phase: String, Sendable {
    case progressing = "Progressing"
    case success = "Success"
    case failed = "Failed"
    case rolledBack = "RolledBack"
    case verifying = "Verifying"
    case awaitingApproval = "AwaitingApproval"
    case suspended = "Suspended"
  }

  public var currVersion: String?
  public var currDigest: String?
  public var currStatus: Phase?
  public var currStatusTime: Double?
  public var successVersion: String?
  public var successDigest: String?
  /// Never redeployed until a different digest arrives.
  public var failedDigest: String?
  public var observedGeneration: Int64?
  public var message: String?
  public var conditions: [Condition] = []
  /// The last event acted on (its id settles the request annotation).
  public var lastEvent: LastEvent?
  /// Newest first, at most `historyLimit`.
  public var history: [RolloutRecord] = []
  /// The rollout in flight, or the last one: everything needed to resume it.
  public var rollout: ActiveRollout?
  /// The candidate being verified before a rollout (nil when none is).
  public var verification: Verification?
  /// The candidate waiting for an approval (nil when none is).
  public var approval: PendingApproval?
  /// The newest finished rollout copied to the history ConfigMap (`HistorySync.key`).
  public var historySynced: String?
  /// What was last written to the `config` ConfigMap (`name/key=version`).
  public var configSynced: String?

  public static let historyLimit = 10

  public init() {}

  public struct LastEvent: Sendable, Equatable {
    public var source: String
    public var id: String
    public var receivedAt: Double

    public init(source: String, id: String, receivedAt: Double) {
      self.source = source
      self.id = id
      self.receivedAt = receivedAt
    }
  }

  /// Adds or updates the history entry of a rollout (by trigger and digest), newest first.
  public mutating func record(_ entry: RolloutRecord) {
    if let i = history.firstIndex(where: { $0.trigger == entry.trigger && $0.digest == entry.digest }) {
      let approvedBy = history[i].approvedBy
      history[i] = entry
      if entry.approvedBy == nil { history[i].approvedBy = approvedBy }
    } else {
      history.insert(entry, at: 0)
    }
    history = Array(history.prefix(KCDStatus.historyLimit))
  }
}

/// One rollout in `status.history`.
public struct RolloutRecord: Sendable, Equatable {
  public var version: String
  public var digest: String
  public var result: RolloutResult
  public var startedAt: Double
  public var finishedAt: Double?
  /// `source:deliveryID` of the event that caused it.
  public var trigger: String
  /// Who approved it (`spec.approval`), as their credentials identified them.
  public var approvedBy: String?

  public init(version: String, digest: String, result: RolloutResult, startedAt: Double, finishedAt: Double? = nil, trigger: String) {
    self.version = version
    self.digest = digest
    self.result = result
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.trigger = trigger
  }
}

public enum RolloutResult: String, Sendable {
  case progressing = "Progressing"
  case success = "Success"
  case failed = "Failed"
  case rolledBack = "RolledBack"
}
