import Synchronization

/// Runs `count` independent pieces of blocking work on at most `width` threads and waits for
/// all of them (the caller's thread takes its share). For fan-outs such as one webhook
/// recorded on many KCDs.
public enum ParallelWork {
  public static func run(count: Int, width: Int, _ body: @escaping @Sendable (Int) -> Void) {
    guard count > 1, width > 1 else {
      for i in 0..<count { body(i) }
      return
    }
    let next = Atomic<Int>(0)
    let finished = Atomic<Int>(0)
    let done = ChangeSignal()
    let helpers = min(width, count) - 1
    @Sendable func drain() {
      while true {
        let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
        if i >= count { return }
        body(i)
        if finished.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == count { done.notify() }
      }
    }
    for _ in 0..<helpers {
      // Without a thread the caller simply does more of the work itself.
      _ = Threads.spawn { drain() }
    }
    drain()
    while finished.load(ordering: .acquiring) < count {
      let seen = done.current
      if finished.load(ordering: .acquiring) >= count { break }
      _ = done.wait(after: seen, timeout: 0.05)
    }
  }
}
