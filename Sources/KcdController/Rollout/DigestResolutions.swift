import KcdCore
import KcdHooks
import KcdVersion
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Registry look-ups for pending requests, on their own small pool of threads so a slow or
/// hostile registry never holds the reconcile workers: at most `perHost` look-ups per registry
/// host (the canonical name's, so `Registry.example` and `registry.example` share) at once,
/// `threads` in all. Answers are kept (failures briefly) until the machine reads
/// them; the KCD is woken when its answer is in.
public final class DigestResolutions: Sendable {
  struct Job: Sendable {
    var key: String
    var namespace: String
    var imageRepo: String
    var request: RequestedRollout
    var confirm: Bool
    /// Stream mode: the newest version tag wins over the request's.
    var policy: VersionPolicy?
  }

  struct State {
    var inFlight: Set<String> = []
    var answers: [String: (Resolution, Double)] = [:]
  }

  let resolver: any ImageResolver
  let pool: HostLimitedPool
  let state = Mutex(State())
  let wake: @Sendable (String) -> Void
  let clock: @Sendable () -> Double

  /// The pool's threads start with the first look-up (most clusters trust signed CI digests and
  /// never need one).
  public init(resolver: any ImageResolver, threads: Int = 4, perHost: Int = 2, clock: @escaping @Sendable () -> Double = monotonicSeconds,
              wake: @escaping @Sendable (String) -> Void) {
    self.resolver = resolver
    self.pool = HostLimitedPool(threads: threads, perHost: perHost)
    self.wake = wake
    self.clock = clock
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
  public func submit(key: String, namespace: String, imageRepo: String, request: RequestedRollout, confirm: Bool, policy: VersionPolicy? = nil) {
    let id = DigestResolutions.id(key, request)
    let added = state.withLock { s -> Bool in
      if s.inFlight.contains(id) { return false }
      s.inFlight.insert(id)
      // Answers nobody read for a long time go.
      if s.answers.count > 4096 { s.answers = s.answers.filter { clock() - $0.value.1 < 900 } }
      return true
    }
    guard added else { return }
    let job = Job(key: key, namespace: namespace, imageRepo: imageRepo, request: request, confirm: confirm, policy: policy)
    let host = RepositoryName.host(RepositoryName.normalize(imageRepo))
    if !pool.submit(host: host, { [self] in finish(job, resolve(job)) }) {
      _ = state.withLock { $0.inFlight.remove(id) }
    }
  }

  public func stop() { pool.stop() }

  func finish(_ job: Job, _ answer: Resolution) {
    state.withLock { s in
      s.inFlight.remove(DigestResolutions.id(job.key, job.request))
      s.answers[DigestResolutions.id(job.key, job.request)] = (answer, clock())
    }
    wake(job.key)
  }

  /// A known digest (signed CI, poller) only needs the version name; anything else is confirmed.
  func resolve(_ job: Job) -> Resolution {
    let r = job.request
    if let d = r.digest, !job.confirm {
      return .digest(d, versionTags: resolver.tags(repository: job.imageRepo, pointingAt: d, namespace: job.namespace) ?? [])
    }
    guard let tag = r.tag else { return .failed("event \(r.id) names no tag to resolve") }
    if let policy = job.policy { return newest(job, tag: tag, policy: policy) }
    do {
      let actual = try resolver.digest(repository: job.imageRepo, tag: tag, namespace: job.namespace)
      if let claimed = r.digest, claimed != actual { return .mismatch(claimed: claimed, actual: actual) }
      let tags = r.version == nil ? resolver.tags(repository: job.imageRepo, pointingAt: actual, namespace: job.namespace) ?? [] : []
      return .digest(actual, versionTags: tags)
    } catch {
      return .failed("cannot resolve \(job.imageRepo):\(tag): \(error)")
    }
  }

  /// Stream mode: the newest version among the repository's tags if it is newer than the
  /// request's tag (a push may have followed, or a webhook been missed), and its digest; a
  /// claimed digest is checked when the request's own tag is the one deployed.
  func newest(_ job: Job, tag: String, policy: VersionPolicy) -> Resolution {
    do {
      let all = try resolver.tags(repository: job.imageRepo, namespace: job.namespace)
      var chosen = tag
      if let newest = policy.newest(all), (policy.compare(newest, tag) ?? 0) > 0 { chosen = newest }
      let actual = try resolver.digest(repository: job.imageRepo, tag: chosen, namespace: job.namespace)
      if chosen == tag, let claimed = job.request.digest, claimed != actual { return .mismatch(claimed: claimed, actual: actual) }
      return .newest(tag: chosen, digest: actual)
    } catch {
      return .failed("cannot list the versions of \(job.imageRepo): \(error)")
    }
  }
}
