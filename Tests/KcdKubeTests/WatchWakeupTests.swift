import KcdCore
import KcdHTTP
import KcdKube
import KcdTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An idle watch given a cancellation sleeps until something happens; cancelling wakes it.
/// Wake-ups are counted as the watching thread's voluntary context switches (each return from
/// a blocking poll is one), so the test counts, it does not time.
@Suite(.timeLimit(.minutes(2)))
struct WatchWakeupTests {
  /// The calling thread's id, from `/proc/thread-self` (a link to `<pid>/task/<tid>`).
  static func threadID() -> String {
    var buffer = [CChar](repeating: 0, count: 128)
    let n = readlink("/proc/thread-self", &buffer, buffer.count - 1)
    guard n > 0 else { return "" }
    return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: "/").last.map(String.init) ?? ""
  }

  static func voluntarySwitches(_ tid: String) -> Int? {
    guard let bytes = try? FileIO.read("/proc/self/task/\(tid)/status") else { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    for line in text.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") {
      return Int(line.split(separator: ":")[1].trimmingSpaces())
    }
    return nil
  }

  /// Opens a watch with no bookmarks on a quiet namespace, waits, and returns how many times the
  /// watching thread woke in `seconds`, then stops it and checks that it ended.
  static func wakeups(cancellable: Bool, seconds: Double) throws -> Int {
    let (sim, client) = try KubeClientTests.sim()
    defer { sim.stop() }
    let (_, rv) = try client.list(.configMaps, namespace: "default")
    let tid = Mutex<String?>(nil)
    let stop = Atomic<Bool>(false)
    let ended = Atomic<Bool>(false)
    let cancellation = TransferCancellation()
    Threads.spawn {
      _ = try? client.watch(.configMaps, namespace: "default", resourceVersion: rv, timeoutSeconds: 300, allowBookmarks: false,
                            onOpen: { tid.withLock { $0 = threadID() } }, onEvent: { _ in true },
                            shouldStop: { stop.load(ordering: .relaxed) }, cancellation: cancellable ? cancellation : nil)
      ended.store(true, ordering: .relaxed)
    }
    #expect(eventually(timeout: 10) { tid.withLock { $0 } != nil })
    let id = tid.withLock { $0 } ?? ""
    usleep(300_000)
    let before = voluntarySwitches(id)
    usleep(UInt32(seconds * 1_000_000))
    let after = voluntarySwitches(id)
    stop.store(true, ordering: .relaxed)
    cancellation.cancel()
    #expect(eventually(timeout: 5) { ended.load(ordering: .relaxed) }, "the watch did not end when stopped")
    guard let before, let after else {
      Issue.record("no voluntary_ctxt_switches for thread \(id)")
      return -1
    }
    return after - before
  }

  @Test("an idle watch with a cancellation does not wake up; cancelling ends it")
  func idleWatchSleeps() throws {
    #expect(try Self.wakeups(cancellable: true, seconds: 3) <= 1)
  }

  @Test("without one it polls about once a second (what the cancellation saves)")
  func idleWatchWithoutCancellationPolls() throws {
    #expect(try Self.wakeups(cancellable: false, seconds: 3) >= 2)
  }

  @Test("a cancelled cancellation ends a watch before it starts")
  func cancelledBeforeStart() throws {
    let (sim, client) = try KubeClientTests.sim()
    defer { sim.stop() }
    let (_, rv) = try client.list(.configMaps, namespace: "default")
    let cancellation = TransferCancellation()
    cancellation.cancel()
    let opened = Atomic<Bool>(false)
    // An aborted watch returns quietly, as when its informer stops.
    try client.watch(.configMaps, namespace: "default", resourceVersion: rv, timeoutSeconds: 300, allowBookmarks: false,
                     onOpen: { opened.store(true, ordering: .relaxed) }, onEvent: { _ in true }, shouldStop: { false }, cancellation: cancellation)
    let didOpen = opened.load(ordering: .relaxed)
    #expect(!didOpen)
  }

  @Test("a silent stream with a cancellation still ends at its idle limit")
  func idleLimitStillHolds() throws {
    let (sim, client) = try KubeClientTests.sim()
    defer { sim.stop() }
    let (_, rv) = try client.list(.configMaps, namespace: "default")
    let cancellation = TransferCancellation()
    #expect(throws: KubeError.self) {
      try client.watch(.configMaps, namespace: "default", resourceVersion: rv, timeoutSeconds: 300, allowBookmarks: false, silenceLimit: 1.5,
                       onEvent: { _ in true }, shouldStop: { false }, cancellation: cancellation)
    }
  }
}
