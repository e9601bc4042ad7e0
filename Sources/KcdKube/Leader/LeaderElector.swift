import KcdCore
import KcdHTTP
import KcdJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs `LeaderElection` against a Lease: reads it every retry period, creates, takes over or
/// renews it with optimistic concurrency (the Lease's resourceVersion), and tells the owner when
/// this replica starts and stops leading. Every call it makes is critical (never queued behind
/// other traffic) and bounded by the renew deadline, so a leader that cannot renew in time
/// stops acting before any follower may take over. `stop` releases the Lease.
public final class LeaderElector: Sendable {
  public struct Callbacks: Sendable {
    public var started: @Sendable () -> Void
    public var stopped: @Sendable () -> Void
    /// Someone (perhaps this replica) now holds the lease.
    public var newLeader: @Sendable (String) -> Void
    public init(started: @escaping @Sendable () -> Void, stopped: @escaping @Sendable () -> Void, newLeader: @escaping @Sendable (String) -> Void = { _ in }) {
      self.started = started
      self.stopped = stopped
      self.newLeader = newLeader
    }
  }

  let client: KubeClient
  let namespace: String
  let name: String
  let callbacks: Callbacks
  let log: Logger
  let election: Mutex<LeaderElection>
  let wake = ChangeSignal()
  let stopping = Atomic<Bool>(false)
  /// Wakes the Lease watch on `stop()`, so an idle watch never has to wake up to ask.
  let watchCancellation = TransferCancellation()
  let running = Atomic<Bool>(false)
  let watching = Atomic<Bool>(false)
  let lastHolder = Mutex<String?>(nil)

  public init(client: KubeClient, namespace: String, name: String, config: LeaderElection.Config, log: Logger, callbacks: Callbacks) {
    self.client = client
    self.namespace = namespace
    self.name = name
    self.callbacks = callbacks
    self.log = log
    election = Mutex(LeaderElection(config: config))
  }

  public var config: LeaderElection.Config { election.withLock { $0.config } }
  public var isLeader: Bool { election.withLock { $0.mayAct(now: monotonicSeconds()) } }
  public var holder: String? { election.withLock { $0.holder } }

  public func start() {
    guard !running.exchange(true, ordering: .relaxed) else { return }
    if !Threads.spawn({ [self] in run() }) {
      running.store(false, ordering: .relaxed)
      log.error("cannot start the leader-election thread")
      return
    }
    watching.store(true, ordering: .relaxed)
    if !Threads.spawn({ [self] in watchLease(); watching.store(false, ordering: .relaxed) }) { watching.store(false, ordering: .relaxed) }
  }

  /// Follows the Lease with a watch so a release (or a holder change) is acted on at once
  /// instead of at the next retry: the next replica takes over as soon as a leader that shuts
  /// down lets go. Polling every retry period stays the rule; the watch only wakes it early.
  func watchLease() {
    while !stopping.load(ordering: .relaxed) {
      let rv = election.withLock { $0.observedVersion }
      if rv.isEmpty {
        // Nothing read yet: the first attempt is moments away.
        sleepUnlessStopping(0.1)
        continue
      }
      do {
        try client.watch(.leases, namespace: namespace, resourceVersion: rv, fieldSelector: "metadata.name=\(name)", timeoutSeconds: 300,
                         onEvent: { [self] event in
                           // Only a change of holder matters (a release, a take-over); renewals do not.
                           let holder = LeaseRecord(lease: event.object).holder
                           if holder != election.withLock({ $0.observed?.holder }) { wake.notify() }
                           return !stopping.load(ordering: .relaxed)
                         },
                         shouldStop: { [self] in stopping.load(ordering: .relaxed) }, cancellation: watchCancellation)
      } catch {
        sleepUnlessStopping(min(config.retryPeriod, 1))
      }
    }
  }

  func sleepUnlessStopping(_ seconds: Double) {
    let end = monotonicSeconds() + seconds
    while !stopping.load(ordering: .relaxed) && monotonicSeconds() < end { usleep(20_000) }
  }

  /// Stops trying; a leader stops leading and releases the Lease (bounded by `timeout`).
  public func stop(timeout: Double = 2) {
    stopping.store(true, ordering: .relaxed)
    watchCancellation.cancel()
    wake.notify()
    while running.load(ordering: .relaxed) { usleep(5_000) }
    release(timeout: timeout)
    // The watch is woken by the cancellation and ends; shutdown does not wait for it.
  }

  func run() {
    defer { running.store(false, ordering: .relaxed) }
    while !stopping.load(ordering: .relaxed) {
      let leading = attempt()
      let period = config.retryPeriod
      // Followers spread their attempts (client-go's jitter factor 1.2); a leader renews on time.
      let wait = leading ? period : period * Double.random(in: 1...1.2)
      let seen = wake.current
      if stopping.load(ordering: .relaxed) { return }
      _ = wake.wait(after: seen, timeout: wait)
    }
  }

  /// One read and, if due, one write; returns whether this replica leads afterwards.
  @discardableResult
  func attempt() -> Bool {
    let now = monotonicSeconds()
    let (wasLeader, deadline) = election.withLock { e in
      (e.isLeader, e.isLeader ? (e.renewedAt ?? now) + e.config.renewDeadline : now + e.config.renewDeadline)
    }
    let options = KubeCallOptions(priority: .critical, deadline: deadline, waitsOnRetryAfter: false)
    do {
      var lease: JSON?
      do {
        lease = try client.get(.leases, namespace: namespace, name: name, options: options)
      } catch where error.isNotFound {
        lease = nil
      }
      let rv = lease?["metadata"]["resourceVersion"].stringValue ?? ""
      let request = election.withLock { $0.next(lease: lease.map(LeaseRecord.init(lease:)), resourceVersion: rv, now: monotonicSeconds(), wall: Timestamps.now()) }
      switch request {
      case .none:
        if wasLeader { callbacks.stopped() }
      case .create(let record):
        let created = try client.create(.leases, namespace: namespace, leaseObject(record, resourceVersion: nil), options: options)
        written(record, created)
      case .update(let record, let version):
        let updated = try client.update(.leases, namespace: namespace, name: name, leaseObject(record, resourceVersion: version), options: options)
        written(record, updated)
      }
    } catch {
      let lost = election.withLock { $0.failed(now: monotonicSeconds()) }
      if error.status != 409 {
        log.warn("leader election: cannot read or write the lease", [("lease", "\(namespace)/\(name)"), ("error", error.description)])
      }
      if lost {
        log.warn("leader election: lease not renewed within the renew deadline; stopping", [("lease", "\(namespace)/\(name)")])
        callbacks.stopped()
      }
    }
    let (leading, holder) = election.withLock { ($0.mayAct(now: monotonicSeconds()), $0.holder) }
    if !wasLeader && leading {
      log.info("leader election: leading", [("lease", "\(namespace)/\(name)"), ("identity", config.identity)])
      callbacks.started()
    }
    if let holder, lastHolder.withLock({ old in defer { old = holder }; return old != holder }) { callbacks.newLeader(holder) }
    return leading
  }

  func written(_ record: LeaseRecord, _ object: JSON) {
    let rv = object["metadata"]["resourceVersion"].stringValue ?? ""
    election.withLock { $0.written(record, resourceVersion: rv, now: monotonicSeconds()) }
  }

  func leaseObject(_ record: LeaseRecord, resourceVersion: String?) -> JSON {
    var metadata: JSON = ["name": .string(name), "namespace": .string(namespace)]
    if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
    return ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": metadata, "spec": record.spec]
  }

  /// Gives the lease up so the next replica takes over at once.
  func release(timeout: Double) {
    let release = election.withLock { e -> (LeaseRecord, String)? in
      defer { e.stepDown() }
      return e.release(wall: Timestamps.now())
    }
    guard let (record, version) = release else { return }
    callbacks.stopped()
    let options = KubeCallOptions(priority: .critical, deadline: monotonicSeconds() + timeout, waitsOnRetryAfter: false)
    do {
      _ = try client.update(.leases, namespace: namespace, name: name, leaseObject(record, resourceVersion: version), options: options)
      log.info("leader election: lease released", [("lease", "\(namespace)/\(name)")])
    } catch {
      log.warn("leader election: cannot release the lease; the next leader waits for it to expire", [("error", error.description)])
    }
  }
}
