import KcdCore
import KcdHooks
import KcdJSON
import KcdKube
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Catches pushes whose webhook never arrived: one registry look-up per distinct repository and
/// tag per interval (the shortest `pollIntervalSeconds` among the KCDs that follow it, jittered),
/// shared by every KCD that follows it. A new digest goes through the same durable intake as a
/// webhook, so polling never deploys anything by itself.
public final class FallbackPoller: Sendable {
  struct Group: Hashable {
    var repository: String
    var imageRepo: String
    var tag: String
  }

  struct Schedule {
    var due: Double
    var failures: Int
    /// The digest the last look-up found and the KCDs then following the group; intake is
    /// asked only when either changes.
    var digest: String? = nil
    var members: Set<String> = []
  }

  let resolver: any ImageResolver
  let intake: EventIntake
  let kcds: @Sendable () -> [JSON]
  let log: Logger
  let clock: @Sendable () -> Double
  let schedules = Mutex<[Group: Schedule]>([:])
  let stopping = Atomic<Bool>(false)
  let running = Atomic<Bool>(false)

  public init(resolver: any ImageResolver, intake: EventIntake, kcds: @escaping @Sendable () -> [JSON], log: Logger,
              clock: @escaping @Sendable () -> Double = monotonicSeconds) {
    self.resolver = resolver
    self.intake = intake
    self.kcds = kcds
    self.log = log
    self.clock = clock
  }

  public func start() {
    guard !running.exchange(true, ordering: .relaxed) else { return }
    Threads.spawn { [self] in
      while !stopping.load(ordering: .relaxed) {
        tick()
        usleep(250_000)
      }
      running.store(false, ordering: .relaxed)
    }
  }

  public func stop() {
    stopping.store(true, ordering: .relaxed)
    while running.load(ordering: .relaxed) { usleep(10_000) }
  }

  /// The groups to poll and their intervals, from the KCDs now.
  func groups() -> [Group: (interval: Double, members: Set<String>)] {
    var out: [Group: (interval: Double, members: Set<String>)] = [:]
    for kcd in kcds() {
      guard let spec = KCDSpec.parse(kcd).spec, let tag = spec.tag, spec.pollIntervalSeconds > 0, !spec.suspend else { continue }
      let g = Group(repository: spec.repository, imageRepo: spec.imageRepo, tag: tag)
      let entry = out[g] ?? (.infinity, [])
      out[g] = (min(entry.interval, Double(spec.pollIntervalSeconds)), entry.members.union([Informer.key(kcd)]))
    }
    return out
  }

  static func jittered(_ interval: Double) -> Double { interval * Double.random(in: 0.9...1.1) }

  /// Polls every group that is due; returns how many look-ups were made.
  @discardableResult
  public func tick() -> Int {
    let now = clock()
    let current = groups()
    let due: [(Group, Double, Set<String>)] = schedules.withLock { s in
      for g in s.keys where current[g] == nil { s[g] = nil }
      var list: [(Group, Double, Set<String>)] = []
      for (g, (interval, members)) in current {
        // A new group waits one jittered interval (a webhook usually comes first).
        guard let entry = s[g] else { s[g] = Schedule(due: now + FallbackPoller.jittered(interval), failures: 0); continue }
        if entry.due <= now { list.append((g, interval, members)) }
      }
      return list
    }
    for (g, interval, members) in due { poll(g, interval: interval, members: members, now: now) }
    return due.count
  }

  func poll(_ g: Group, interval: Double, members: Set<String>, now: Double) {
    do {
      let digest = try resolver.digest(repository: g.imageRepo, tag: g.tag)
      let unchanged = schedules.withLock { s -> Bool in
        let old = s[g]
        s[g] = Schedule(due: now + FallbackPoller.jittered(interval), failures: 0, digest: old?.digest, members: old?.members ?? [])
        return old?.digest == digest && old?.members == members
      }
      if unchanged { return }
      let event = ImageEvent(repository: g.repository, tag: g.tag, digest: digest, source: "poll", deliveryID: "poll:\(g.tag)@\(digest):\(Int64(Timestamps.now() * 1000))",
                             receivedAt: Timestamps.now())
      let result = try intake.record(event)
      // Remembered only once intake took it, so a failed write is retried next cycle.
      schedules.withLock { s in
        s[g]?.digest = digest
        s[g]?.members = members
      }
      if !result.accepted.isEmpty {
        log.info("poll found a new digest", [("repository", g.repository), ("tag", g.tag), ("digest", digest), ("kcds", result.accepted.joined(separator: ","))])
      }
    } catch {
      let failures = schedules.withLock { s -> Int in
        let f = (s[g]?.failures ?? 0) + 1
        // Back off (30 s doubling) but never wait longer than the interval itself; forget the
        // digest so intake is asked again once the registry answers.
        s[g] = Schedule(due: now + min(interval, 30 * Double(1 << min(f - 1, 10))), failures: f, digest: nil)
        return f
      }
      log.warn("poll failed", [("repository", g.repository), ("tag", g.tag), ("failures", String(failures)), ("error", "\(error)")])
    }
  }
}
