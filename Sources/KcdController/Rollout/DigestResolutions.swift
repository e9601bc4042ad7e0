import KcdCore
import KcdHooks
import KcdVersionPolicy

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

  let resolver: any ImageResolver
  let board: BackgroundAnswers<Resolution>
  let wake: @Sendable (String) -> Void

  /// The pool's threads start with the first look-up (most clusters trust signed CI digests and
  /// never need one). Failures are forgotten after 10 s so the next look is a new attempt.
  public init(resolver: any ImageResolver, threads: Int = 4, perHost: Int = 2, clock: @escaping @Sendable () -> Double = monotonicSeconds,
              wake: @escaping @Sendable (String) -> Void) {
    self.resolver = resolver
    self.board = BackgroundAnswers(threads: threads, perHost: perHost, clock: clock) { answer in
      if case .failed = answer { return 10 } else { return 900 }
    }
    self.wake = wake
  }

  static func id(_ key: String, _ request: RequestedRollout) -> String { "\(key)\u{0}\(request.id)" }

  /// The answer for this KCD's request, if there is one.
  public func answer(key: String, request: RequestedRollout) -> Resolution? { board.answer(DigestResolutions.id(key, request)) }

  /// Queues a look-up unless one for this request is queued or running.
  public func submit(key: String, namespace: String, imageRepo: String, request: RequestedRollout, confirm: Bool, policy: VersionPolicy? = nil) {
    let job = Job(key: key, namespace: namespace, imageRepo: imageRepo, request: request, confirm: confirm, policy: policy)
    let host = RepositoryName.host(RepositoryName.normalize(imageRepo))
    board.submit(DigestResolutions.id(key, request), host: host, done: { [wake] in wake(key) }) { [self] in resolve(job) }
  }

  public func stop() { board.stop() }

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
