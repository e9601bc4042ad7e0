import KcdCore
import KcdHTTP
import KcdJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where an informer delivers what it sees. The sink keeps the objects (typed, indexed, as it
/// likes); the informer only keeps the resourceVersion and its own health.
public protocol InformerSink: Sendable {
  /// A relist begins; pages follow through `listed`, then `endRelist` (objects not listed since
  /// `beginRelist` are gone).
  func beginRelist()
  func listed(_ page: [ListedObject])
  func endRelist()
  func upsert(_ object: ListedObject)
  func delete(_ object: JSON)
}

/// A list+watch cache feeder of one resource (client-go's reflector, section 3.2 of the fact
/// sheet): paged list, watch from the list's resourceVersion with bookmarks, re-watch after a
/// clean close, relist after 410 or a silent stream, back off on errors, and say how healthy
/// it is (readiness and "no KCD follows" answers depend on a cache known to be current).
public final class Informer: Sendable {
  public struct Options: Sendable {
    public var namespace: String?
    public var labelSelector: String?
    /// Watch lengths are random in this range (client-go: 300–600 s).
    public var watchTimeout: ClosedRange<Int> = 300...600
    /// A watch that delivers nothing (not even a bookmark) for this long is restarted: about
    /// three of the API server's one-minute bookmark intervals.
    public var silenceLimit: Double = 180
    public init(namespace: String? = nil, labelSelector: String? = nil) {
      self.namespace = namespace
      self.labelSelector = labelSelector
    }
  }

  /// What the informer knows about its own state.
  public struct Health: Sendable, Equatable {
    public var synced = false
    /// A watch is open (or the last list finished a moment ago).
    public var watching = false
    public var consecutiveFailures = 0
    public var lastError: String?
    /// Monotonic time of the last list, event or bookmark.
    public var lastContact: Double = 0
    /// The server does not serve the resource (404) or kcd may not list it (403): the cache
    /// stays empty until a list succeeds, and nothing should wait for it.
    public var unavailable = false
  }

  public let resource: KubeResource
  let client: KubeClient
  public let options: Options
  let sink: any InformerSink
  let onFailure: @Sendable (String, Int) -> Void
  let health = Mutex(Health())
  let version = Mutex("")
  let syncedFlag = Atomic<Bool>(false)
  let unavailableFlag = Atomic<Bool>(false)
  let onAvailability: @Sendable (Bool) -> Void
  /// `watching` and `lastContact` again, lock-free: `isCurrent` is asked on webhooks.
  let watchingFlag = Atomic<Bool>(false)
  let contactBits = Atomic<UInt64>(0)
  let stopping = Atomic<Bool>(false)
  /// Wakes the watch when the informer stops, so an idle watch never has to wake up to ask.
  let watchCancellation = TransferCancellation()
  let running = Atomic<Bool>(false)

  /// `onFailure(message, consecutiveFailures)` is told about every failed list or watch;
  /// `onAvailability(false)` when a list is refused with 403 or 404, `(true)` when one succeeds again.
  public init(client: KubeClient, resource: KubeResource, options: Options = Options(), sink: any InformerSink,
              onFailure: @escaping @Sendable (String, Int) -> Void = { _, _ in }, onAvailability: @escaping @Sendable (Bool) -> Void = { _ in }) {
    self.onAvailability = onAvailability
    self.client = client
    self.resource = resource
    self.options = options
    self.sink = sink
    self.onFailure = onFailure
  }

  public static func key(_ o: JSON) -> String {
    let ns = o["metadata"]["namespace"].stringValue ?? ""
    let name = o["metadata"]["name"].stringValue ?? ""
    return ns.isEmpty ? name : "\(ns)/\(name)"
  }

  /// Lock-free: read on every webhook.
  public var hasSynced: Bool { syncedFlag.load(ordering: .acquiring) }
  /// The resource is not served or not permitted (the last list said 404 or 403).
  public var isUnavailable: Bool { unavailableFlag.load(ordering: .relaxed) }
  public var state: Health { health.withLock { $0 } }
  public var resourceVersion: String { version.withLock { $0 } }

  /// Synced, and either watching or in contact within the last few seconds: what the cache
  /// says now is what the server said a moment ago.
  public var isCurrent: Bool {
    guard hasSynced else { return false }
    return watchingFlag.load(ordering: .relaxed) || monotonicSeconds() - Double(bitPattern: contactBits.load(ordering: .relaxed)) < 5
  }

  /// Updates the health under its lock and mirrors the flags `isCurrent` reads.
  func update(_ change: (inout Health) -> Void) {
    let (watching, contact) = health.withLock { h -> (Bool, Double) in
      change(&h)
      return (h.watching, h.lastContact)
    }
    watchingFlag.store(watching, ordering: .relaxed)
    contactBits.store(contact.bitPattern, ordering: .relaxed)
  }

  public func start() {
    guard !running.exchange(true, ordering: .relaxed) else { return }
    Threads.spawn { [self] in run() }
  }

  public func stop() {
    requestStop()
    waitStopped()
  }

  /// Asks the informer to stop without waiting (its watch is woken and ends at once), so
  /// several can stop side by side.
  public func requestStop() {
    stopping.store(true, ordering: .relaxed)
    watchCancellation.cancel()
  }

  public func waitStopped() {
    while running.load(ordering: .relaxed) { usleep(5_000) }
  }

  var isStopping: Bool { stopping.load(ordering: .relaxed) }

  func run() {
    defer { running.store(false, ordering: .relaxed) }
    var backoff = 0.8
    var lastBackoffReset = monotonicSeconds()
    while !isStopping {
      do {
        try listAndReplace()
        backoff = 0.8
        try watchLoop()
      } catch {
        let failures = failed(error)
        if isStopping { return }
        onFailure(error.description, failures)
        if monotonicSeconds() - lastBackoffReset > 120 { backoff = 0.8 }
        sleep(seconds: backoff * (1 + Double.random(in: 0..<1)))
        backoff = min(30, backoff * 2)
        lastBackoffReset = monotonicSeconds()
      }
    }
  }

  func setAvailable(_ available: Bool) {
    guard unavailableFlag.exchange(!available, ordering: .relaxed) == available else { return }
    update { $0.unavailable = !available }
    onAvailability(available)
  }

  /// Records a failed list or watch; returns how many failed in a row.
  func failed(_ error: KubeError) -> Int {
    var failures = 0
    update { h in
      h.watching = false
      h.consecutiveFailures += 1
      h.lastError = error.description
      failures = h.consecutiveFailures
    }
    return failures
  }

  func sleep(seconds: Double) {
    let end = monotonicSeconds() + seconds
    while !isStopping && monotonicSeconds() < end { usleep(20_000) }
  }

  /// Lists page by page into the sink, which replaces its contents.
  func listAndReplace() throws(KubeError) {
    sink.beginRelist()
    let rv: String
    do {
      rv = try client.listPages(resource, namespace: options.namespace, labelSelector: options.labelSelector) { page in sink.listed(page) }
    } catch {
      if error.status == 403 || error.status == 404 { setAvailable(false) }
      throw error
    }
    sink.endRelist()
    setAvailable(true)
    version.withLock { $0 = rv }
    update { h in
      h.synced = true
      h.lastContact = monotonicSeconds()
      h.lastError = nil
      h.consecutiveFailures = 0
    }
    syncedFlag.store(true, ordering: .releasing)
  }

  /// Watches until an error; a clean end re-watches from the last resourceVersion. The cache
  /// counts as watching only once the server has answered (a connect that hangs is not a
  /// watch); a clean end is contact, so the few milliseconds of a re-watch stay current.
  func watchLoop() throws(KubeError) {
    while !isStopping {
      let rv = resourceVersion
      let timeout = Int.random(in: options.watchTimeout)
      defer { update { $0.watching = false } }
      do {
        try client.watch(resource, namespace: options.namespace, resourceVersion: rv, labelSelector: options.labelSelector, timeoutSeconds: timeout,
                         silenceLimit: options.silenceLimit,
                         onOpen: { [self] in
                           update { h in
                             h.watching = true
                             h.lastContact = monotonicSeconds()
                             h.consecutiveFailures = 0
                             h.lastError = nil
                           }
                         },
                         onEvent: { [self] event in apply(event); return !isStopping }, shouldStop: { [self] in isStopping },
                         cancellation: watchCancellation)
        update { $0.lastContact = monotonicSeconds() }
      } catch {
        if error.isExpired { throw error }  // relist
        if error.status == 429 || error.status >= 500 {
          // Back off and watch again from the same revision, no relist; counted and reported
          // like any other failure, and the cache stops counting as current 5 s after contact.
          let failures = failed(error)
          onFailure(error.description, failures)
          sleep(seconds: min(30, max(1, error.retryAfterSeconds ?? Double(min(failures, 30)))))
          continue
        }
        throw error
      }
    }
  }

  func apply(_ event: WatchEvent) {
    let o = event.object
    let rv = o["metadata"]["resourceVersion"].stringValue
    let now = monotonicSeconds()
    // Every event counts as contact; the lock is taken at most once a second for it.
    if now - Double(bitPattern: contactBits.load(ordering: .relaxed)) > 1 { update { $0.lastContact = now } }
    switch event.type {
    case "BOOKMARK":
      break
    case "ADDED", "MODIFIED":
      guard o["kind"].stringValue == nil || o["kind"].stringValue == resource.kind else { return }
      sink.upsert(ListedObject(object: o, truncated: event.truncated))
    case "DELETED":
      sink.delete(o)
    default:
      return
    }
    if let rv { version.withLock { $0 = rv } }
  }
}
