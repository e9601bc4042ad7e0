/// Leader election over a Lease, client-go's rules, as a pure state machine: `next` says what
/// to ask the API server given the Lease as last read, `finished` takes the answer. Two clocks
/// are parameters: `now` (monotonic, for every duration: a leader's record is trusted for
/// `leaseDuration` after this replica *saw it change*, never by comparing another machine's
/// timestamps) and `wall` (only written into the record).
public struct LeaderElection: Sendable {
  public struct Config: Sendable, Equatable {
    public var identity: String
    /// How long followers wait after the last change they saw before taking over (client-go: 15 s).
    public var leaseDuration: Double = 15
    /// How long a leader keeps acting without a successful renewal (client-go: 10 s).
    public var renewDeadline: Double = 10
    /// How often to try to acquire or renew (client-go: 2 s).
    public var retryPeriod: Double = 2

    public init(identity: String) { self.identity = identity }

    /// client-go's constraints: leaseDuration > renewDeadline > retryPeriod × 1.2.
    public var problem: String? {
      if identity.isEmpty { return "the leader-election identity is empty" }
      if !(leaseDuration > renewDeadline) { return "the lease duration must be longer than the renew deadline" }
      if !(renewDeadline > retryPeriod * 1.2) { return "the renew deadline must be longer than 1.2 × the retry period" }
      return nil
    }
  }

  /// What to send.
  public enum Request: Sendable, Equatable {
    /// No Lease yet: create it holding it.
    case create(LeaseRecord)
    /// Replace the Lease's record (take it over, or renew it), conditional on `resourceVersion`.
    case update(LeaseRecord, resourceVersion: String)
    /// Someone else holds a valid lease: nothing to send; look again later.
    case none
  }

  public let config: Config
  /// The record last read or written, its resourceVersion, and when (monotonic) it was seen to change.
  public private(set) var observed: LeaseRecord?
  public private(set) var observedVersion = ""
  public private(set) var observedAt = 0.0
  /// When this replica last held the lease with a successful write (monotonic); nil when it does not lead.
  public private(set) var renewedAt: Double?

  public init(config: Config) { self.config = config }

  /// The Lease holds whole seconds: a fractional duration is rounded up, never down.
  static func wholeSeconds(_ d: Double) -> Int { max(1, Int(d.rounded(.up))) }

  public var isLeader: Bool { renewedAt != nil }

  /// Who holds the lease, as far as this replica knows.
  public var holder: String? {
    if isLeader { return config.identity }
    guard let h = observed?.holder, !h.isEmpty else { return nil }
    return h
  }

  /// The Lease as just read (nil: it does not exist) → what to send.
  public mutating func next(lease: LeaseRecord?, resourceVersion: String, now: Double, wall: Double) -> Request {
    guard let lease else {
      return .create(LeaseRecord(holder: config.identity, durationSeconds: LeaderElection.wholeSeconds(config.leaseDuration), acquireTime: wall, renewTime: wall,
                                 transitions: 0))
    }
    if lease != observed || resourceVersion != observedVersion {
      observed = lease
      observedVersion = resourceVersion
      observedAt = now
    }
    let mine = lease.holder == config.identity
    if !mine {
      // Ours no longer (someone took it over): stop leading at once.
      renewedAt = nil
      let duration = lease.durationSeconds > 0 ? Double(lease.durationSeconds) : config.leaseDuration
      if !lease.holder.isEmpty && now < observedAt + duration { return .none }
    }
    var record = lease
    record.holder = config.identity
    record.durationSeconds = LeaderElection.wholeSeconds(config.leaseDuration)
    record.renewTime = wall
    if !mine {
      record.acquireTime = wall
      record.transitions = lease.transitions + 1
    }
    return .update(record, resourceVersion: resourceVersion)
  }

  /// The write of `record` succeeded (with `resourceVersion` now): this replica leads.
  public mutating func written(_ record: LeaseRecord, resourceVersion: String, now: Double) {
    observed = record
    observedVersion = resourceVersion
    observedAt = now
    renewedAt = now
  }

  /// A read or write failed (conflict, error, time-out). A leader keeps leading until its last
  /// successful renewal is `renewDeadline` old; returns true when it has just stopped.
  public mutating func failed(now: Double) -> Bool {
    guard let r = renewedAt, now - r >= config.renewDeadline else { return false }
    renewedAt = nil
    return true
  }

  /// Whether a leader may still act at `now` (its last renewal is within the renew deadline).
  public func mayAct(now: Double) -> Bool {
    guard let r = renewedAt else { return false }
    return now - r < config.renewDeadline
  }

  /// The record that gives the lease up on shutdown (client-go's ReleaseOnCancel): no holder,
  /// a one-second duration, so the next replica takes it at once. Nil when this replica does not lead.
  public func release(wall: Double) -> (LeaseRecord, String)? {
    guard isLeader, var record = observed else { return nil }
    record.holder = ""
    record.durationSeconds = 1
    record.acquireTime = wall
    record.renewTime = wall
    return (record, observedVersion)
  }

  /// Gives up leadership locally (after a release, or on shutdown).
  public mutating func stepDown() { renewedAt = nil }
}
