import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Blocking calls to remote hosts (registry look-ups) on a small pool of threads: at most
/// `threads` at once in all and `perHost` per host, first come first served among the hosts
/// that have room, so one slow or hostile host never holds the others' work. Threads start
/// with the first job.
public final class HostLimitedPool: Sendable {
  struct Job: Sendable {
    var host: String
    var work: @Sendable () -> Void
  }

  struct State {
    var jobs: [Job] = []
    var busy: [String: Int] = [:]
    var stopping = false
  }

  let threads: Int
  let perHost: Int
  let state = Mutex(State())
  let signal = ChangeSignal()
  let running = Atomic<Int>(0)
  let started = Atomic<Bool>(false)

  public init(threads: Int, perHost: Int) {
    self.threads = max(1, threads)
    self.perHost = max(1, perHost)
  }

  /// Queues `work` for `host`; false once the pool is stopping.
  @discardableResult
  public func submit(host: String, _ work: @escaping @Sendable () -> Void) -> Bool {
    let added = state.withLock { s -> Bool in
      if s.stopping { return false }
      s.jobs.append(Job(host: host, work: work))
      return true
    }
    if added {
      startThreads()
      signal.notify()
    }
    return added
  }

  /// Jobs waiting for a thread (not counting those running).
  public var queued: Int { state.withLock { $0.jobs.count } }

  /// Drops what is queued and (unless told not to) waits for the running jobs to end.
  public func stop(waiting: Bool = true) {
    state.withLock { s in
      s.stopping = true
      s.jobs = []
    }
    signal.notify()
    while waiting && running.load(ordering: .relaxed) > 0 { usleep(5_000) }
  }

  func startThreads() {
    guard !started.exchange(true, ordering: .relaxed) else { return }
    for _ in 0..<threads {
      running.wrappingAdd(1, ordering: .relaxed)
      if !Threads.spawn({ [self] in work(); running.wrappingSubtract(1, ordering: .relaxed) }) {
        running.wrappingSubtract(1, ordering: .relaxed)
      }
    }
  }

  func work() {
    while true {
      let seen = signal.current
      let next = state.withLock { s -> Job?? in
        if s.stopping { return .some(nil) }
        guard let i = s.jobs.firstIndex(where: { s.busy[$0.host, default: 0] < perHost }) else { return nil }
        let job = s.jobs.remove(at: i)
        s.busy[job.host, default: 0] += 1
        return job
      }
      switch next {
      case .some(.none): return
      case .none: _ = signal.wait(after: seen, timeout: 60)
      case .some(.some(let job)):
        job.work()
        state.withLock { s in
          let left = s.busy[job.host, default: 1] - 1
          s.busy[job.host] = left > 0 ? left : nil
        }
        signal.notify()
      }
    }
  }
}
