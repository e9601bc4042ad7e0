import KcdCore
import KcdHooks
import KcdJSON
import KcdKube
import Synchronization

/// Turns an authenticated ImageEvent into durable requests on the KCDs that follow it, before
/// anyone answers 2xx. It never touches workloads (the reconciler does). Safe on every replica:
/// each write is a compare-and-swap on the KCD, retried on conflict. The KCDs are found through
/// the cache's (repository, tag) index, so a webhook costs the same whatever the number of KCDs
/// that do not follow it; writes for many KCDs go out in parallel, all within a short budget.
public final class EventIntake: Sendable {
  public struct Result: Sendable {
    /// `namespace/name` of KCDs that got the event.
    public var accepted: [String] = []
    /// KCDs for which this was a replay or nothing new.
    public var duplicates: [(kcd: String, reason: String)] = []
    /// KCDs that follow the event but that kcd will not act on (invalid or unsupported spec).
    public var refused: [(kcd: String, reason: String)] = []
    public var accepted202: Bool { !accepted.isEmpty }
    public init() {}

    public mutating func merge(_ other: Result) {
      accepted += other.accepted
      duplicates += other.duplicates
      refused += other.refused
    }
  }

  let client: KubeClient
  let kcds: KCDCache
  /// Seconds within which every write is done or given up (then the sender is told to retry).
  public let budgetSeconds: Double
  /// KCDs recorded at once for one event.
  let parallelism: Int
  /// Told about each KCD as written (the local controller can act before the watch brings it).
  let onRecorded: @Sendable (KCD) -> Void

  public init(client: KubeClient, kcds: KCDCache, budgetSeconds: Double = 5, parallelism: Int = 8,
              onRecorded: @escaping @Sendable (KCD) -> Void = { _ in }) {
    self.client = client
    self.kcds = kcds
    self.budgetSeconds = budgetSeconds
    self.parallelism = parallelism
    self.onRecorded = onRecorded
  }

  /// KCDs an event is for: same canonical repository and tag (the index), or, in stream mode,
  /// same repository and a tag the KCD's policy takes as a version; or the one CI named.
  public static func matches(_ event: ImageEvent, in cache: KCDCache) -> [KCD] {
    guard let tag = event.tag else { return [] }
    let follow = KCDCache.Follow(repository: event.repository, tag: tag)
    var found = cache.following(follow) + cache.streaming(follow)
    // A sender limited to some KCDs (an OIDC identity) reaches only those.
    if let scope = event.scope { found = found.filter { scope.allows(namespace: $0.namespace, name: $0.name) } }
    guard let target = event.target else { return found.sorted { $0.key < $1.key } }
    return found.filter { $0.key == target }
  }

  /// The first KCD the event would reach but for its scope, when its scope leaves it none (the
  /// sender is answered 403); nil when the scope allows a KCD that follows it, or nothing
  /// follows it at all.
  public func outOfScope(_ event: ImageEvent) -> String? {
    guard let scope = event.scope else { return nil }
    if let target = event.target, !scope.allows(key: target) { return target }
    var unscoped = event
    unscoped.scope = nil
    let all = EventIntake.matches(unscoped, in: kcds)
    guard !all.isEmpty, !all.contains(where: { scope.allows(namespace: $0.namespace, name: $0.name) }) else { return nil }
    return all[0].key
  }

  /// Whether any KCD follows the event's repository and tag at all (the cheap question a
  /// webhook that matches nothing is answered with).
  public func isFollowed(_ event: ImageEvent) -> Bool {
    guard let tag = event.tag else { return false }
    return kcds.isFollowed(KCDCache.Follow(repository: event.repository, tag: tag))
  }

  /// Whether recording this event would write to Kubernetes (a KCD kcd acts on follows it):
  /// when not, the answer needs no API call and can be given at once.
  public func needsWrites(_ event: ImageEvent) -> Bool {
    EventIntake.matches(event, in: kcds).contains { $0.actionable != nil }
  }

  /// Why this event adds nothing for this KCD, or nil when it should be recorded.
  public static func duplicateReason(_ event: ImageEvent, kcd: KCD) -> String? {
    let pending = kcd.request
    let status = kcd.status
    if let p = pending, p.recent.contains(event.deliveryID) { return "delivery \(event.deliveryID.prefix(128)) was already received" }
    // A CI callback signed before the one already taken is older news (a late retry, or a
    // replay): it would move the KCD back. Only a callback that says so moves back.
    if event.source == "ci", !event.movesBack, let signed = event.signedAt, let last = pending?.latestSignedAt ?? pending?.signedAt, signed < last {
      return "older than the deployed event: signed at \(Timestamps.rfc3339(signed)), the event already taken at \(Timestamps.rfc3339(last)); send it with \"rollback\": true to move back on purpose"
    }
    guard let digest = event.digest else { return nil }
    if status.failedDigest == digest { return "digest failed before; it is not redeployed until a different digest arrives" }
    // A request for another digest still waiting behind the current rollout: this event moves
    // the tag back, and must supersede it.
    let waiting = pending.map { $0.id != status.lastEvent?.id && $0.digest != digest } ?? false
    let live: Set<KCDStatus.Phase> = [.progressing, .success, .verifying]
    if !waiting, status.currDigest == digest, let phase = status.currStatus, live.contains(phase) { return "digest is already deployed" }
    if let p = pending, p.digest == digest, p.tag == event.tag, p.id != status.lastEvent?.id || status.currDigest == digest {
      return "digest already requested"
    }
    return nil
  }

  /// Records the event on every matching KCD (of `namespace` only, when given: the poller's
  /// look-ups use one namespace's credentials; of the `only` keys, when given). Throws when Kubernetes cannot take a write
  /// within the budget (the caller answers 503 or 429 with Retry-After so the sender retries).
  /// `deadline` (monotonic seconds) bounds a whole delivery that carries several events;
  /// without it the budget starts now.
  public func record(_ event: ImageEvent, namespace: String? = nil, only keys: Set<String>? = nil, deadline: Double? = nil) throws(KubeError) -> Result {
    let deadline = deadline ?? monotonicSeconds() + budgetSeconds
    var (result, work) = sorted(event, namespace: namespace)
    if let keys { work = work.filter { keys.contains($0.key) } }
    if work.count == 1 {
      result.merge(try recordOne(event, work[0], deadline: deadline))
      return result
    }
    let outcomes = Mutex<(Result, KubeError?)>((Result(), nil))
    let list = work
    ParallelWork.run(count: list.count, width: parallelism) { [self] i in
      do throws(KubeError) {
        let r = try recordOne(event, list[i], deadline: deadline)
        outcomes.withLock { $0.0.merge(r) }
      } catch {
        outcomes.withLock { $0.1 = $0.1 ?? error }
      }
    }
    let (recorded, failure) = outcomes.withLock { $0 }
    if let failure { throw failure }
    result.merge(recorded)
    result.accepted.sort()
    return result
  }

  /// What the cache says without writing anything: the KCDs that follow the event and that kcd
  /// refuses are in `refused`; the rest is returned as work. Answers a webhook on the event
  /// loop when the work is empty.
  public func refusals(_ event: ImageEvent) -> Result { sorted(event, namespace: nil).result }

  func sorted(_ event: ImageEvent, namespace: String?) -> (result: Result, work: [KCD]) {
    var result = Result()
    var work: [KCD] = []
    for kcd in EventIntake.matches(event, in: kcds) where namespace == nil || kcd.namespace == namespace {
      if kcd.actionable == nil {
        result.refused.append((kcd.key, kcd.problems.map(\.message).joined(separator: "; ")))
      } else {
        work.append(kcd)
      }
    }
    return (result, work)
  }

  /// Writes the request annotation on one KCD (the cached copy first: the write carries its
  /// resourceVersion, so a stale copy gets 409 and the next attempt reads the KCD fresh).
  func recordOne(_ event: ImageEvent, _ cached: KCD, deadline: Double) throws(KubeError) -> Result {
    var result = Result()
    let options = KubeCallOptions(priority: .critical, deadline: deadline)
    var fromCache: KCD? = cached
    var attempt = 0
    while attempt < 8 {
      attempt += 1
      let current: KCD
      if let c = fromCache {
        current = c
        fromCache = nil
      } else {
        do {
          let read = try client.requestObject("GET", KubeResource.kcds.path(namespace: cached.namespace, name: cached.name), options: options)
          current = KCD(json: read.object, truncated: read.truncated)
        } catch {
          if error.isNotFound { return result }
          throw error
        }
      }
      guard current.actionable != nil else {
        result.refused.append((current.key, current.problems.map(\.message).joined(separator: "; ")))
        return result
      }
      var request = RequestedRollout(event: event, recent: current.request?.recent ?? [], previous: current.request)
      if let reason = EventIntake.duplicateReason(event, kcd: current) {
        // A "nothing new" verdict is only taken from a fresh read.
        if attempt == 1 { continue }
        // Remember the delivery anyway, so a replay of it later (when it might no longer be a
        // duplicate) is refused.
        guard var kept = current.request, !kept.recent.contains(event.deliveryID) else {
          result.duplicates.append((current.key, reason))
          return result
        }
        kept.recent = Array((kept.recent + [event.deliveryID]).suffix(RequestedRollout.recentLimit))
        request = kept
        do {
          _ = try write(request, on: current, options: options)
          result.duplicates.append((current.key, reason))
          return result
        } catch {
          if error.isConflict { continue }
          if error.isNotFound { return result }
          throw error
        }
      }
      do {
        let written = try write(request, on: current, options: options)
        result.accepted.append(current.key)
        onRecorded(written)
        return result
      } catch {
        if error.isConflict { continue }
        if error.isNotFound { return result }
        throw error
      }
    }
    throw KubeError(status: 409, reason: "Conflict", message: "the KCD \(cached.key) kept changing; retry", retryAfterSeconds: 1)
  }

  /// Writes the annotation; returns the KCD as written.
  func write(_ request: RequestedRollout, on kcd: KCD, options: KubeCallOptions) throws(KubeError) -> KCD {
    let patch: JSON = ["metadata": ["resourceVersion": .string(kcd.resourceVersion),
                                    "annotations": [RequestedRollout.annotation: .string(request.json.text)]]]
    let written = try client.requestObject("PATCH", KubeResource.kcds.path(namespace: kcd.namespace, name: kcd.name),
                                           query: [("fieldManager", client.fieldManager)], body: patch,
                                           contentType: KubeClient.PatchType.merge.rawValue, options: options)
    return KCD(json: written.object, truncated: written.truncated)
  }
}
