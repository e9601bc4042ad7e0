import KcdController
import KcdCore
import KcdJSON
import KcdKube
import KcdTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The fallback poller's schedule and its pool, with a scripted registry and a test clock
/// (no KCD is in the intake's cache, so a look-up never writes to Kubernetes).
@Suite(.timeLimit(.minutes(1)))
struct FallbackPollerTests {
  /// A registry whose hosts named in `blocked` hang until released; every call is counted.
  final class ScriptedRegistry: ImageResolver {
    let calls = Mutex<[String]>([])
    let released = Atomic<Bool>(false)
    let blocked: Set<String>

    init(blocked: Set<String> = []) { self.blocked = blocked }

    func digest(repository: String, tag: String, namespace: String) throws -> String {
      let host = String(repository.split(separator: "/").first ?? "")
      calls.withLock { $0.append("\(repository):\(tag)") }
      while blocked.contains(host) && !released.load(ordering: .relaxed) { usleep(2_000) }
      return "sha256:" + String(repeating: "a", count: 64)
    }

    func tags(repository: String, pointingAt digest: String, namespace: String) -> [String]? { nil }
    /// The tag list stream mode reads (`1.4.0`, `1.10.0`, `2.0.0-rc.1`, `latest`).
    func tags(repository: String, namespace: String) throws -> [String] {
      calls.withLock { $0.append("list \(repository)") }
      return ["1.4.0", "1.10.0", "2.0.0-rc.1", "latest"]
    }
    func count(_ prefix: String) -> Int { calls.withLock { $0.filter { $0.hasPrefix(prefix) }.count } }
  }

  final class TestClock: Sendable {
    let bits = Atomic<UInt64>(0.0.bitPattern)
    var now: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
    func set(_ t: Double) { bits.store(t.bitPattern, ordering: .relaxed) }
  }

  static func kcd(_ name: String, repo: String, tag: String = "main", interval: Int) -> KCD {
    KCD(json: [
      "apiVersion": "kcd.dev/v1", "kind": "KCD",
      "metadata": ["name": .string(name), "namespace": "shop", "uid": .string("uid-" + name), "generation": 1],
      "spec": ["imageRepo": .string(repo), "tag": .string(tag), "selector": ["app": .string(name)], "pollIntervalSeconds": .int(Int64(interval))],
    ])
  }

  static func poller(_ registry: ScriptedRegistry, _ clock: TestClock, minimum: Int = FallbackPoller.defaultMinimumInterval) -> FallbackPoller {
    let intake = EventIntake(client: KubeClient(connection: KubeConnection(server: "http://127.0.0.1:9")), kcds: KCDCache())
    return FallbackPoller(resolver: registry, intake: intake, log: Logger(format: .json, component: "test", sink: { _ in }),
                          minimumInterval: minimum, clock: { clock.now })
  }

  static func stream(_ name: String, repo: String, range: String, interval: Int, deployed: String? = nil) -> KCD {
    var o: JSON = [
      "apiVersion": "kcd.dev/v1", "kind": "KCD",
      "metadata": ["name": .string(name), "namespace": "shop", "uid": .string("uid-" + name), "generation": 1],
      "spec": ["imageRepo": .string(repo), "versionPolicy": ["kind": "semver", "range": .string(range)], "selector": ["app": .string(name)],
               "pollIntervalSeconds": .int(Int64(interval))],
    ]
    if let deployed { o["status"] = ["currVersion": .string(deployed), "currStatus": "Success", "successVersion": .string(deployed)] }
    return KCD(json: o)
  }

  @Test("a stream lists the tags and resolves the newest version; one that deployed nothing yet is looked up at once; policies poll apart")
  func streams() {
    let registry = ScriptedRegistry()
    let clock = TestClock()
    let poller = Self.poller(registry, clock)
    poller.kcdChanged(old: nil, new: Self.stream("new", repo: "registry.example/app", range: ">=1.4.0 <2.0.0", interval: 600))
    poller.kcdChanged(old: nil, new: Self.stream("old", repo: "registry.example/app", range: "^1", interval: 600, deployed: "1.4.0"))
    poller.kcdChanged(old: nil, new: Self.stream("same", repo: "registry.example/app", range: ">=1.4.0 <2.0.0", interval: 600, deployed: "1.4.0"))
    clock.set(1.5)
    #expect(poller.tick() == 1, "the group with a KCD that never deployed is due at once")
    #expect(registry.calls.withLock { $0 } == ["list registry.example/app", "registry.example/app:1.10.0"])
    clock.set(700)
    #expect(poller.tick() == 2, "the two policies are two groups, each on its interval")
    #expect(registry.count("list ") == 3)
  }

  @Test("a KCD asking for a shorter interval than the minimum is polled at the minimum")
  func minimumInterval() {
    let registry = ScriptedRegistry()
    let clock = TestClock()
    let poller = Self.poller(registry, clock)
    poller.kcdChanged(old: nil, new: Self.kcd("a", repo: "registry.example/app", interval: 5))
    clock.set(26)
    #expect(poller.tick() == 0, "5 s asked, but never before 30 s less jitter")
    clock.set(34)
    #expect(poller.tick() == 1)
    clock.set(34 + 26)
    #expect(poller.tick() == 0)
    clock.set(34 + 34)
    #expect(poller.tick() == 1)
    #expect(registry.count("registry.example/app:main") == 2)
  }

  @Test("an interval shortened by an edit, or by a second KCD on the same tag, takes effect at once")
  func shortenedInterval() {
    let registry = ScriptedRegistry()
    let clock = TestClock()
    let poller = Self.poller(registry, clock)
    let long = Self.kcd("a", repo: "registry.example/app", interval: 3600)
    poller.kcdChanged(old: nil, new: long)
    let short = Self.kcd("a", repo: "registry.example/app", interval: 60)
    poller.kcdChanged(old: long, new: short)
    clock.set(67)
    #expect(poller.tick() == 1, "due within 60 s ± 10 %, not after the hour first asked")

    let other = Self.kcd("b", repo: "registry.example/other", interval: 3600)
    poller.kcdChanged(old: nil, new: other)
    poller.kcdChanged(old: nil, new: Self.kcd("c", repo: "registry.example/other", interval: 120))
    clock.set(67 + 133)
    #expect(poller.tick() == 2, "registry.example/app again, and registry.example/other at 120 s for its new member")
    #expect(registry.count("registry.example/other:main") == 1)
  }

  @Test("running on its own, the poller polls a lone group again every interval (no other timer wakes it)")
  func keepsPolling() {
    let registry = ScriptedRegistry()
    let intake = EventIntake(client: KubeClient(connection: KubeConnection(server: "http://127.0.0.1:9")), kcds: KCDCache())
    let poller = FallbackPoller(resolver: registry, intake: intake, log: Logger(format: .json, component: "test", sink: { _ in }), minimumInterval: 1)
    poller.kcdChanged(old: nil, new: Self.kcd("k", repo: "h.example/app", interval: 1))
    poller.start()
    defer { poller.stop() }
    #expect(eventually(timeout: 8) { registry.count("h.example/") >= 3 }, "\(registry.calls.withLock { $0 })")
  }

  @Test("a registry that hangs holds only its own look-ups: the other hosts' groups are polled meanwhile")
  func hangingHost() {
    let registry = ScriptedRegistry(blocked: ["slow.example"])
    let clock = TestClock()
    let poller = Self.poller(registry, clock)
    for i in 0..<4 { poller.kcdChanged(old: nil, new: Self.kcd("slow-\(i)", repo: "slow.example/app", tag: "t\(i)", interval: 60)) }
    for i in 0..<6 { poller.kcdChanged(old: nil, new: Self.kcd("fast-\(i)", repo: "fast.example/app", tag: "t\(i)", interval: 60)) }
    clock.set(100)
    poller.start()
    defer {
      registry.released.store(true, ordering: .relaxed)
      poller.stop()
    }
    #expect(eventually(timeout: 10) { registry.count("fast.example/") == 6 }, "\(registry.calls.withLock { $0 })")
    #expect(registry.count("slow.example/") == 2, "two look-ups at most per host at once")
    registry.released.store(true, ordering: .relaxed)
    #expect(eventually(timeout: 10) { registry.count("slow.example/") == 4 })

    // Every look-up scheduled its group's next one: a minute later all ten are polled again.
    clock.set(200)
    poller.kcdChanged(old: nil, new: Self.kcd("late", repo: "other.example/app", interval: 60))
    #expect(eventually(timeout: 10) { registry.count("fast.example/") == 12 && registry.count("slow.example/") == 8 },
            "\(registry.calls.withLock { $0 })")
  }
}
