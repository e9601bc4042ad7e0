import KcdCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Registry look-ups for pending requests, on their own small pool of threads so a slow or
/// hostile registry never holds the reconcile workers: at most `perHost` look-ups per registry
/// host at once, `threads` in all. Answers are kept (failures briefly) until the machine reads
/// them; the KCD is woken when its answer is in.
public final class DigestResolutions: Sendable {
  struct Job: Sendable {
    var key: String
    var namespace: String
    var imageRepo: String
    var request: RequestedRollout
    var confirm: Bool
    var host: String
  }

  struct State {
    var jobs: [Job] = []
    var inFlight: Set<String> = []
    var perHost: [String: Int] = [:]
    var answers: [String: (Resolution, Double)] = [:]
    var stopping = false
  }

  let resolver: any ImageResolver
  let perHost: Int
  let state = Mutex(State())
  let signal = ChangeSignal()
  let wake: @Sendable (String) -> Void
  let clock: @Sendable () -> Double
  let running = Atomic<Int>(0)
  let threads: Int
  /// The threads start with the first look-up (most clusters trust signed CI digests and never
  /// need one).
  let started = Atomic<Bool>(false)

  public init(resolver: any ImageResolver, threads: Int = 4, perHost: Int = 2, clock: @escaping @Sendable () -> Double = monotonicSeconds,
              wake: @escaping @Sendable (String) -> Void) {
    self.resolver = resolver
    self.perHost = perHost
    self.wake = wake
    self.clock = clock
    self.threads = max(1, threads)
  }

  func startThreads() {
    guard !started.exchange(true, ordering: .relaxed) else { return }
    for _ in 0..<threads {
      running.wrappingAdd(1, ordering: .relaxed)
      if !Threads.spawn({ [self] in work(); running.wrappingSubtract(1, ordering: .relaxed) }) { running.wrappingSubtract(1, ordering: .relaxed) }
    }
  }

  static func id(_ key: String, _ request: RequestedRollout) -> String { "\(key)\u{0}\(request.id)" }

  /// The answer for this KCD's request, if there is one (failures are forgotten after 10 s so
  /// the next look is a new attempt).
  public func answer(key: String, request: RequestedRollout) -> Resolution? {
    let id = DigestResolutions.id(key, request)
    let now = clock()
    return state.withLock { s in
      guard let (answer, at) = s.answers[id] else { return nil }
      let ttl: Double = if case .failed = answer { 10 } else { 900 }
      if now - at > ttl { s.answers[id] = nil; return nil }
      return answer
    }
  }

  /// Queues a look-up unless one for this request is queued or running.
  public func submit(key: String, namespace: String, imageRepo: String, request: RequestedRollout, confirm: Bool) {
    let id = DigestResolutions.id(key, request)
    let host = imageRepo.split(separator: "/").first.map(String.init) ?? imageRepo
    let added = state.withLock { s -> Bool in
      if s.inFlight.contains(id) || s.stopping { return false }
      s.inFlight.insert(id)
      s.jobs.append(Job(key: key, namespace: namespace, imageRepo: imageRepo, request: request, confirm: confirm, host: host))
      // Answers nobody read for a long time go.
      if s.answers.count > 4096 { s.answers = s.answers.filter { clock() - $0.value.1 < 900 } }
      return true
    }
    if added {
      startThreads()
      signal.notify()
    }
  }

  public func stop() {
    state.withLock { $0.stopping = true }
    signal.notify()
    while running.load(ordering: .relaxed) > 0 { usleep(5_000) }
  }

  func work() {
    while true {
      let seen = signal.current
      let job = state.withLock { s -> Job?? in
        if s.stopping { return .some(nil) }
        guard let i = s.jobs.firstIndex(where: { s.perHost[$0.host, default: 0] < perHost }) else { return nil }
        let job = s.jobs.remove(at: i)
        s.perHost[job.host, default: 0] += 1
        return job
      }
      switch job {
      case .some(.none): return
      case .none: _ = signal.wait(after: seen, timeout: 60)
      case .some(.some(let job)):
        let answer = resolve(job)
        state.withLock { s in
          s.perHost[job.host, default: 1] -= 1
          s.inFlight.remove(DigestResolutions.id(job.key, job.request))
          s.answers[DigestResolutions.id(job.key, job.request)] = (answer, clock())
        }
        signal.notify()
        wake(job.key)
      }
    }
  }

  /// A known digest (signed CI, poller) only needs the version name; anything else is confirmed.
  func resolve(_ job: Job) -> Resolution {
    let r = job.request
    if let d = r.digest, !job.confirm {
      return .digest(d, versionTags: resolver.tags(repository: job.imageRepo, pointingAt: d, namespace: job.namespace) ?? [])
    }
    guard let tag = r.tag else { return .failed("event \(r.id) names no tag to resolve") }
    do {
      let actual = try resolver.digest(repository: job.imageRepo, tag: tag, namespace: job.namespace)
      if let claimed = r.digest, claimed != actual { return .mismatch(claimed: claimed, actual: actual) }
      let tags = r.version == nil ? resolver.tags(repository: job.imageRepo, pointingAt: actual, namespace: job.namespace) ?? [] : []
      return .digest(actual, versionTags: tags)
    } catch {
      return .failed("cannot resolve \(job.imageRepo):\(tag): \(error)")
    }
  }
}
