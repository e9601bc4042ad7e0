import KcdCore
import KcdHooks
import KcdJSON
import KcdKube
import KcdVersionPolicy
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Catches pushes whose webhook never arrived: one registry look-up per distinct repository,
/// tag and namespace per interval (the shortest `pollIntervalSeconds` among the KCDs that follow
/// it, jittered), shared by those KCDs; credentials are the namespace's own. Groups and due
/// times change only when KCDs do; between due times the poller sleeps. A new digest goes
/// through the same durable intake as a webhook, so polling never deploys anything by itself.
/// Look-ups run on a small pool, at most two per registry host at once, so a registry that
/// hangs until its timeout delays only its own groups. No group is polled more often than
/// every `minimumInterval` seconds (30 by default), whatever a KCD asks: the original kcd's
/// examples used 5 s, and Docker Hub and ECR rate-limit far below that at a thousand KCDs.
public final class FallbackPoller: Sendable {
  /// KCDs that share one look-up: pointer mode by tag, stream mode by version policy (the
  /// repository's tag list, then the newest version's digest).
  struct Group: Hashable {
    var repository: String
    var imageRepo: String
    var tag: String
    var namespace: String
    var policy: VersionPolicy? = nil
  }

  struct GroupState {
    /// KCD key → its interval.
    var members: [String: Int] = [:]
    var failures = 0
    /// What the last look-up found (`tag@digest`) and the members then; intake is asked only
    /// when either changes.
    var found: String?
    var notified: Set<String> = []
    var interval: Double { Double(members.values.min() ?? 600) }
  }

  struct State {
    var groups: [Group: GroupState] = [:]
    var byKCD: [String: Group] = [:]
    var timers = TimerHeap<Group>()
    var stopping = false
    /// Only the leader polls; a follower keeps the schedule and waits.
    var active = true
  }

  /// The shortest interval kcd polls at (a KCD asking for less is polled this often).
  public static let defaultMinimumInterval = 30
  let minimumInterval: Int

  let resolver: any ImageResolver
  let intake: EventIntake
  let pool: HostLimitedPool
  let log: Logger
  let clock: @Sendable () -> Double
  let state = Mutex(State())
  let wake = ChangeSignal()
  let running = Atomic<Bool>(false)

  public init(resolver: any ImageResolver, intake: EventIntake, log: Logger, minimumInterval: Int = defaultMinimumInterval, threads: Int = 4,
              perHost: Int = 2, clock: @escaping @Sendable () -> Double = monotonicSeconds) {
    self.resolver = resolver
    self.pool = HostLimitedPool(threads: threads, perHost: perHost)
    self.minimumInterval = max(1, minimumInterval)
    self.intake = intake
    self.log = log
    self.clock = clock
  }

  func group(of kcd: KCD) -> (Group, Int)? {
    guard let spec = kcd.actionable, spec.pollIntervalSeconds > 0, !spec.suspend else { return nil }
    let interval = max(spec.pollIntervalSeconds, minimumInterval)
    if let tag = spec.tag { return (Group(repository: spec.repository, imageRepo: spec.imageRepo, tag: tag, namespace: kcd.namespace), interval) }
    guard let policy = spec.versionPolicy else { return nil }
    return (Group(repository: spec.repository, imageRepo: spec.imageRepo, tag: "", namespace: kcd.namespace, policy: policy), interval)
  }

  /// Keeps the groups in step with the KCDs (the controller calls this for every change).
  public func kcdChanged(old: KCD?, new: KCD?) {
    let key = new?.key ?? old?.key ?? ""
    let now = clock()
    state.withLock { s in
      let wanted = new.flatMap(group(of:))
      if let g = s.byKCD[key], g != wanted?.0 {
        s.groups[g]?.members[key] = nil
        if s.groups[g]?.members.isEmpty == true {
          s.groups[g] = nil
          s.timers.remove(g)
        }
        s.byKCD[key] = nil
      }
      guard let (g, interval) = wanted else { return }
      s.byKCD[key] = g
      if s.groups[g] == nil {
        // A new group waits one jittered interval (a webhook usually comes first) — except a
        // stream that has deployed nothing yet: its newest version is looked up at once.
        s.groups[g] = GroupState()
        let first = g.policy != nil && new?.status.currVersion == nil ? Double.random(in: 0...1) : FallbackPoller.jittered(Double(interval))
        s.timers.schedule(g, at: now + first)
      } else if let due = s.timers.due(of: g), due > now + Double(interval) * 1.1 {
        // A shorter interval takes effect now, not after the longer one ends.
        s.timers.schedule(g, at: now + FallbackPoller.jittered(Double(interval)))
      }
      s.groups[g]?.members[key] = interval
    }
    wake.notify()
  }

  static func jittered(_ interval: Double) -> Double { interval * Double.random(in: 0.9...1.1) }

  public func start() {
    guard !running.exchange(true, ordering: .relaxed) else { return }
    Threads.spawn { [self] in
      while let due = nextDue() {
        for g in due { pool.submit(host: RepositoryName.host(g.repository)) { [self] in poll(g) } }
      }
      running.store(false, ordering: .relaxed)
    }
  }

  /// Polls (the leader) or keeps the schedule without polling (a follower).
  public func setActive(_ on: Bool) {
    state.withLock { $0.active = on }
    wake.notify()
  }

  public func stop() {
    state.withLock { $0.stopping = true }
    wake.notify()
    while running.load(ordering: .relaxed) { usleep(5_000) }
    pool.stop()
  }

  /// Sleeps until a group is due (or the groups change); nil when stopping.
  func nextDue() -> [Group]? {
    while true {
      let seen = wake.current
      let (stopping, due, next) = state.withLock { s -> (Bool, [Group], Double?) in
        let now = clock()
        if !s.active { return (s.stopping, [], nil) }
        return (s.stopping, s.timers.popDue(now), s.timers.nextDue().map { $0 - now })
      }
      if stopping { return nil }
      if !due.isEmpty { return due }
      _ = wake.wait(after: seen, timeout: min(max(next ?? 3600, 0.001), 3600))
    }
  }

  /// Polls every group that is due now; returns how many look-ups were made (tests drive time).
  @discardableResult
  public func tick() -> Int {
    let due = state.withLock { $0.timers.popDue(clock()) }
    for g in due { poll(g) }
    return due.count
  }

  func poll(_ g: Group) {
    guard let (interval, members) = state.withLock({ s in s.groups[g].map { ($0.interval, Set($0.members.keys)) } }) else { return }
    let now = clock()
    // The group's next due time is set below, on a pool thread: the loop must see it.
    defer { wake.notify() }
    do {
      var tag = g.tag
      if let policy = g.policy {
        let newest = policy.newest(try resolver.tags(repository: g.imageRepo, namespace: g.namespace))
        guard let newest else {
          state.withLock { s in
            s.groups[g]?.failures = 0
            s.timers.schedule(g, at: now + FallbackPoller.jittered(interval))
          }
          return
        }
        tag = newest
      }
      let digest = try resolver.digest(repository: g.imageRepo, tag: tag, namespace: g.namespace)
      let found = "\(tag)@\(digest)"
      let unchanged = state.withLock { s -> Bool in
        s.groups[g]?.failures = 0
        s.timers.schedule(g, at: now + FallbackPoller.jittered(interval))
        return s.groups[g]?.found == found && s.groups[g]?.notified == members
      }
      if unchanged { return }
      let event = ImageEvent(repository: g.repository, tag: tag, digest: digest, source: "poll",
                             deliveryID: "poll:\(tag)@\(digest):\(Int64(Timestamps.now() * 1000))", receivedAt: Timestamps.now())
      // A stream's finding is for its own members (another policy on the same repository
      // reads the tags differently).
      let result = try intake.record(event, namespace: g.namespace, only: g.policy == nil ? nil : members)
      // Remembered only once intake took it, so a failed write is retried next cycle.
      state.withLock { s in
        s.groups[g]?.found = found
        s.groups[g]?.notified = members
      }
      if !result.accepted.isEmpty {
        log.info("poll found a new digest", [("repository", g.repository), ("tag", tag), ("digest", digest), ("kcds", result.accepted.joined(separator: ","))])
      }
    } catch {
      let failures = state.withLock { s -> Int in
        let f = (s.groups[g]?.failures ?? 0) + 1
        s.groups[g]?.failures = f
        // Forget the digest so intake is asked again once the registry answers; back off
        // (30 s doubling) but never wait longer than the interval itself.
        s.groups[g]?.found = nil
        if s.groups[g] != nil { s.timers.schedule(g, at: now + min(interval, 30 * Double(1 << min(f - 1, 10)))) }
        return f
      }
      log.warn("poll failed", [("repository", g.repository), ("tag", g.tag), ("namespace", g.namespace), ("failures", String(failures)),
                               ("error", String("\(error)".prefix(512)))])
    }
  }
}
