import KcdCore
import KcdJSON
import KcdKube
import KcdTestSupport
import KubeSim
import Synchronization
import Testing

/// Leader election: the pure rules with an injected clock (client-go's semantics), then electors
/// racing for one Lease on an in-process KubeSim.
@Suite(.timeLimit(.minutes(2)))
struct LeaderElectionTests {
  static func config(_ identity: String) -> LeaderElection.Config {
    var c = LeaderElection.Config(identity: identity)
    c.leaseDuration = 15
    c.renewDeadline = 10
    c.retryPeriod = 2
    return c
  }

  static func held(by holder: String, transitions: Int = 0, at wall: Double = 1000) -> LeaseRecord {
    LeaseRecord(holder: holder, durationSeconds: 15, acquireTime: wall, renewTime: wall, transitions: transitions)
  }

  @Test("no Lease: create it holding it; the write makes this replica the leader")
  func createsTheLease() {
    var e = LeaderElection(config: Self.config("a"))
    let request = e.next(lease: nil, resourceVersion: "", now: 0, wall: 5000)
    #expect(request == .create(LeaseRecord(holder: "a", durationSeconds: 15, acquireTime: 5000, renewTime: 5000, transitions: 0)))
    #expect(!e.isLeader)
    if case .create(let r) = request { e.written(r, resourceVersion: "7", now: 0) }
    #expect(e.isLeader && e.mayAct(now: 9.9) && !e.mayAct(now: 10))
  }

  @Test("another holder is trusted for the lease duration after this replica saw its record change, whatever the record's clock says")
  func followsAValidHolder() {
    var e = LeaderElection(config: Self.config("b"))
    // A renewTime far in the past (another machine's clock) does not matter: only what b observed.
    let stale = Self.held(by: "a", at: 1)
    let r1 = e.next(lease: stale, resourceVersion: "1", now: 100, wall: 9_999_999)
    #expect(r1 == .none)
    #expect(e.holder == "a")
    let r2 = e.next(lease: stale, resourceVersion: "1", now: 114.9, wall: 0)
    #expect(r2 == .none)
    // The leader renewed (new resourceVersion): the wait starts again.
    let renewed = Self.held(by: "a", at: 2)
    let r3 = e.next(lease: renewed, resourceVersion: "2", now: 114.9, wall: 0)
    #expect(r3 == .none)
    let r4 = e.next(lease: renewed, resourceVersion: "2", now: 129.8, wall: 0)
    #expect(r4 == .none)
    // Silent for the whole duration: take it over, one more transition, a new acquire time.
    let takeover = e.next(lease: renewed, resourceVersion: "2", now: 129.9, wall: 777)
    #expect(takeover == .update(LeaseRecord(holder: "b", durationSeconds: 15, acquireTime: 777, renewTime: 777, transitions: 1), resourceVersion: "2"))
  }

  @Test("a released lease (no holder) is taken at once")
  func takesAReleasedLease() {
    var e = LeaderElection(config: Self.config("b"))
    let released = LeaseRecord(holder: "", durationSeconds: 1, acquireTime: 10, renewTime: 10, transitions: 3)
    guard case .update(let r, "9") = e.next(lease: released, resourceVersion: "9", now: 0, wall: 20) else {
      Issue.record("expected a take-over")
      return
    }
    #expect(r.holder == "b" && r.transitions == 4 && r.durationSeconds == 15)
  }

  @Test("a leader renews keeping its acquire time and transitions; failures keep it leading until the renew deadline, then it stops")
  func renewsAndStepsDown() {
    var e = LeaderElection(config: Self.config("a"))
    let mine = Self.held(by: "a", transitions: 2, at: 500)
    guard case .update(let r, _) = e.next(lease: mine, resourceVersion: "4", now: 0, wall: 600) else {
      Issue.record("expected a renewal")
      return
    }
    #expect(r.acquireTime == 500 && r.renewTime == 600 && r.transitions == 2)
    e.written(r, resourceVersion: "5", now: 0)
    let r5 = e.failed(now: 2)
    #expect(!r5)
    let r6 = e.failed(now: 9.99)
    #expect(!r6)
    #expect(e.mayAct(now: 9.99))
    let r7 = e.failed(now: 10)
    #expect(r7, "ten seconds without a renewal: stop")
    #expect(!e.isLeader && !e.mayAct(now: 10))
  }

  @Test("a leader that finds someone else holding the lease stops leading at once")
  func losesToATakeover() {
    var e = LeaderElection(config: Self.config("a"))
    e.written(Self.held(by: "a"), resourceVersion: "5", now: 0)
    let r8 = e.next(lease: Self.held(by: "b", transitions: 1), resourceVersion: "6", now: 1, wall: 0)
    #expect(r8 == .none)
    #expect(!e.isLeader && e.holder == "b")
  }

  @Test("release: no holder, one second, from the version last written; only a leader releases")
  func release() {
    var e = LeaderElection(config: Self.config("a"))
    #expect(e.release(wall: 1) == nil)
    e.written(Self.held(by: "a", transitions: 1), resourceVersion: "8", now: 0)
    let (record, version) = e.release(wall: 2000)!
    #expect(record.holder.isEmpty && record.durationSeconds == 1 && record.transitions == 1 && version == "8")
  }

  @Test("client-go's constraints on the durations are checked")
  func constraints() {
    var c = Self.config("a")
    #expect(c.problem == nil)
    c.renewDeadline = 15
    #expect(c.problem != nil)
    c = Self.config("a")
    c.retryPeriod = 9
    #expect(c.problem != nil)
    #expect(LeaderElection.Config(identity: "").problem != nil)
  }

  @Test("the Lease object round-trips with MicroTime timestamps")
  func leaseJSON() {
    let r = LeaseRecord(holder: "kcd-0_42", durationSeconds: 15, acquireTime: 1_700_000_000.25, renewTime: 1_700_000_001.5, transitions: 3)
    #expect(r.spec["renewTime"] == "2023-11-14T22:13:21.500000Z")
    #expect(LeaseRecord(lease: ["spec": r.spec]) == r)
    let empty = LeaseRecord(holder: "", durationSeconds: 1, acquireTime: nil, renewTime: nil, transitions: 0)
    #expect(empty.spec["holderIdentity"].isNull)
  }

  // MARK: - Against KubeSim

  final class Seen: Sendable {
    let events = Mutex<[String]>([])
    func add(_ s: String) { events.withLock { $0.append(s) } }
    var all: [String] { events.withLock { $0 } }
  }

  static func elector(_ client: KubeClient, _ identity: String, _ seen: Seen, lease: Double = 2, renew: Double = 1, retry: Double = 0.2) -> LeaderElector {
    var c = LeaderElection.Config(identity: identity)
    c.leaseDuration = lease
    c.renewDeadline = renew
    c.retryPeriod = retry
    return LeaderElector(client: client, namespace: "default", name: "kcd", config: c, log: Logger(format: .json, component: "test", sink: { _ in }),
                         callbacks: .init(started: { seen.add("\(identity) started") }, stopped: { seen.add("\(identity) stopped") }))
  }

  @Test("two electors: one leads; released on stop, the other takes over at once; a leader that vanishes is replaced after the lease duration")
  func racingElectors() throws {
    let (sim, client) = try KubeClientTests.sim()
    defer { sim.stop() }
    let seen = Seen()
    let a = Self.elector(client, "a", seen)
    let b = Self.elector(client, "b", seen)
    a.start()
    #expect(eventually(timeout: 10) { a.isLeader })
    b.start()
    usleep_ms(600)
    #expect(a.isLeader && !b.isLeader && b.holder == "a", "exactly one leader")
    let lease = try client.get(.leases, namespace: "default", name: "kcd")
    #expect(lease["spec"]["holderIdentity"] == "a" && lease["spec"]["leaseDurationSeconds"] == 2)

    let stopped = monotonicSeconds()
    a.stop()
    // Released: no holder, or already b's (b watches the Lease and may take it at once).
    let after = try client.get(.leases, namespace: "default", name: "kcd")["spec"]["holderIdentity"]
    #expect(after.isNull || after == "b", "released, not still a's: \(after)")
    #expect(eventually(timeout: 5, interval: 0.02) { b.isLeader })
    #expect(monotonicSeconds() - stopped < 1, "the next replica need not wait for the lease to expire")
    #expect(seen.all.contains("a stopped") && seen.all.contains("b started"))

    // b vanishes without releasing (its API access cut): a new elector waits the duration, then takes it.
    let c = Self.elector(client, "c", seen)
    sim.api.faults.add(FaultRule(verb: "*", resource: "leases", code: 503))
    c.start()
    defer { c.stop() }
    #expect(eventually(timeout: 5, interval: 0.02) { !b.isLeader }, "b stops acting when it cannot renew")
    b.stop()
    let lostAt = monotonicSeconds()
    sim.api.faults.clear()
    #expect(eventually(timeout: 10, interval: 0.02) { c.isLeader })
    #expect(monotonicSeconds() - lostAt >= 1.9, "b's record was never released: c waited the lease duration after first seeing it")
    #expect(seen.all.contains("b stopped") && seen.all.contains("c started"))
  }

  @Test("a follower watches the Lease: a release is taken over at once, not at the next retry")
  func releaseIsSeenAtOnce() throws {
    let (sim, client) = try KubeClientTests.sim()
    defer { sim.stop() }
    let seen = Seen()
    func slow(_ identity: String) -> LeaderElector { Self.elector(client, identity, seen, lease: 20, renew: 15, retry: 6) }
    let a = slow("a")
    a.start()
    #expect(eventually(timeout: 10) { a.isLeader })
    let b = slow("b")
    b.start()
    defer { b.stop() }
    #expect(eventually(timeout: 10) { b.holder == "a" })
    usleep_ms(500)
    let released = monotonicSeconds()
    a.stop()
    #expect(eventually(timeout: 10, interval: 0.02) { b.isLeader })
    #expect(monotonicSeconds() - released < 2, "b took over \(monotonicSeconds() - released) s after the release; its retry period is 6 s")
  }
}
