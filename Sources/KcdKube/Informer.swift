import KcdCore
import KcdJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A list+watch cache of one resource (client-go's reflector, section 3.2 of the fact sheet):
/// list, watch from the list's resourceVersion with bookmarks, re-watch after a clean close,
/// relist after 410, back off on errors. Handlers get object keys; they read the cache.
public final class Informer: Sendable {
  public enum Change: Sendable {
    case upsert(old: JSON?, new: JSON)
    case delete(JSON)
  }

  public struct Options: Sendable {
    public var namespace: String?
    public var labelSelector: String?
    /// Watch lengths are random in this range (client-go: 300–600 s).
    public var watchTimeout: ClosedRange<Int> = 300...600
    public init(namespace: String? = nil, labelSelector: String? = nil) {
      self.namespace = namespace
      self.labelSelector = labelSelector
    }
  }

  struct State {
    var objects: [String: JSON] = [:]
    var resourceVersion = ""
    var synced = false
    var lastError: String?
  }

  public let resource: KubeResource
  let client: KubeClient
  let options: Options
  let onChange: @Sendable (Change) -> Void
  let state = Mutex(State())
  let stopping = Atomic<Bool>(false)
  let running = Atomic<Bool>(false)

  public init(client: KubeClient, resource: KubeResource, options: Options = Options(), onChange: @escaping @Sendable (Change) -> Void) {
    self.client = client
    self.resource = resource
    self.options = options
    self.onChange = onChange
  }

  public static func key(_ o: JSON) -> String {
    let ns = o["metadata"]["namespace"].stringValue ?? ""
    let name = o["metadata"]["name"].stringValue ?? ""
    return ns.isEmpty ? name : "\(ns)/\(name)"
  }

  public var hasSynced: Bool { state.withLock { $0.synced } }
  public var lastError: String? { state.withLock { $0.lastError } }
  public var resourceVersion: String { state.withLock { $0.resourceVersion } }

  public func get(_ key: String) -> JSON? { state.withLock { $0.objects[key] } }

  public func get(namespace: String, name: String) -> JSON? { get(namespace.isEmpty ? name : "\(namespace)/\(name)") }

  public var objects: [JSON] { state.withLock { Array($0.objects.values) } }

  public func start() {
    guard !running.exchange(true, ordering: .relaxed) else { return }
    Threads.spawn { [self] in run() }
  }

  public func stop() {
    stopping.store(true, ordering: .relaxed)
    while running.load(ordering: .relaxed) { usleep(10_000) }
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
        state.withLock { $0.lastError = error.description }
        if isStopping { return }
        if monotonicSeconds() - lastBackoffReset > 120 { backoff = 0.8 }
        sleep(seconds: backoff * (1 + Double.random(in: 0..<1)))
        backoff = min(30, backoff * 2)
        lastBackoffReset = monotonicSeconds()
      }
    }
  }

  func sleep(seconds: Double) {
    let end = monotonicSeconds() + seconds
    while !isStopping && monotonicSeconds() < end { usleep(20_000) }
  }

  /// Lists and replaces the cache; objects gone from the list are reported deleted.
  func listAndReplace() throws(KubeError) {
    let (items, rv) = try client.list(resource, namespace: options.namespace, labelSelector: options.labelSelector)
    var fresh: [String: JSON] = [:]
    for item in items { fresh[Informer.key(item)] = item }
    let (previous, _) = state.withLock { s -> ([String: JSON], Void) in
      let old = s.objects
      s.objects = fresh
      s.resourceVersion = rv
      s.synced = true
      s.lastError = nil
      return (old, ())
    }
    for (key, old) in previous where fresh[key] == nil { onChange(.delete(old)) }
    for (key, new) in fresh where previous[key]?["metadata"]["resourceVersion"] != new["metadata"]["resourceVersion"] || previous[key] == nil {
      onChange(.upsert(old: previous[key], new: new))
    }
  }

  /// Watches until an error; a clean end re-watches from the last resourceVersion.
  func watchLoop() throws(KubeError) {
    while !isStopping {
      let rv = resourceVersion
      let timeout = Int.random(in: options.watchTimeout)
      do {
        try client.watch(resource, namespace: options.namespace, resourceVersion: rv, labelSelector: options.labelSelector, timeoutSeconds: timeout,
                         onEvent: { [self] event in apply(event); return !isStopping }, shouldStop: { [self] in isStopping })
      } catch {
        if error.isExpired { throw error }  // relist
        if error.status == 429 || error.status >= 500 || error.status == 0 {
          // Back off and watch again from the same revision, no relist.
          sleep(seconds: max(1, error.retryAfterSeconds ?? 1))
          if error.status == 0 { throw error }
          continue
        }
        throw error
      }
    }
  }

  func apply(_ event: WatchEvent) {
    let o = event.object
    let rv = o["metadata"]["resourceVersion"].stringValue
    switch event.type {
    case "BOOKMARK":
      if let rv { state.withLock { $0.resourceVersion = rv } }
    case "ADDED", "MODIFIED":
      guard o["kind"].stringValue == nil || o["kind"].stringValue == resource.kind else { return }
      let old = state.withLock { s -> JSON? in
        let old = s.objects[Informer.key(o)]
        s.objects[Informer.key(o)] = o
        if let rv { s.resourceVersion = rv }
        return old
      }
      onChange(.upsert(old: old, new: o))
    case "DELETED":
      state.withLock { s in
        s.objects[Informer.key(o)] = nil
        if let rv { s.resourceVersion = rv }
      }
      onChange(.delete(o))
    default:
      break
    }
  }
}
