import KcdCore
import KcdJSON
import Synchronization

/// Where an object lives: its namespace ("" for cluster-scoped kinds) and name.
public struct ObjectKey: Hashable, Sendable, Comparable {
  public var namespace: String
  public var name: String
  public init(_ namespace: String, _ name: String) { self.namespace = namespace; self.name = name }
  public static func < (a: ObjectKey, b: ObjectKey) -> Bool { (a.namespace, a.name) < (b.namespace, b.name) }
}

/// One change as a watch sees it; `previous` lets selector watches turn a change into
/// ADDED/DELETED when an object starts or stops matching.
public struct ChangeEvent: Sendable {
  public var type: String
  public var resourceVersion: Int64
  public var storage: String
  public var object: JSON
  public var previous: JSON?
}

/// The simulated etcd plus the apiserver's registry logic: one global resourceVersion, typed
/// buckets of JSON objects, a bounded change history for watches, and the served types
/// (built-ins plus whatever CRDs registered).
public final class ObjectStore: Sendable {
  struct State {
    var revision: Int64 = 1
    var types: [String: ResourceType] = [:]
    var schemas: [String: StructuralSchema] = [:]
    var buckets: [String: [ObjectKey: JSON]] = [:]
    var history: [ChangeEvent] = []
    var historyLimit: Int
    /// Watches must start at or after this revision; older ones get 410 Expired.
    var compactedRevision: Int64 = 0
  }

  let state: Mutex<State>
  let signal = ChangeSignal()
  /// Wall clock for timestamps; tests may pin it.
  let clock: @Sendable () -> Double

  public init(historyLimit: Int = 10_000, clock: @escaping @Sendable () -> Double = Timestamps.now, serveV1beta1CronJobs: Bool = false) {
    var s = State(historyLimit: historyLimit)
    for t in BuiltinResources.all { s.types[ObjectStore.typeKey(t.group, t.version, t.plural)] = t }
    if serveV1beta1CronJobs {
      let t = BuiltinResources.cronJobsV1beta1
      s.types[ObjectStore.typeKey(t.group, t.version, t.plural)] = t
    }
    self.state = Mutex(s)
    self.clock = clock
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
      _ = try? create(BuiltinResources.namespaces, namespace: "", object: ["metadata": ["name": .string(ns)]])
    }
  }

  static func typeKey(_ group: String, _ version: String, _ plural: String) -> String { "\(group)/\(version)/\(plural)" }

  // MARK: types

  public func resourceType(group: String, version: String, plural: String) -> ResourceType? {
    state.withLock { $0.types[ObjectStore.typeKey(group, version, plural)] }
  }

  /// Every served type, sorted for stable discovery output.
  public var servedTypes: [ResourceType] {
    state.withLock { Array($0.types.values) }.sorted { ($0.group, $0.version, $0.plural) < ($1.group, $1.version, $1.plural) }
  }

  func schema(for type: ResourceType) -> StructuralSchema? {
    state.withLock { $0.schemas[ObjectStore.typeKey(type.group, type.version, type.plural)] }
  }

  // MARK: reads

  public var currentRevision: Int64 { state.withLock { $0.revision } }

  public var compactedRevision: Int64 { state.withLock { $0.compactedRevision } }

  public func get(_ type: ResourceType, namespace: String, name: String) -> JSON? {
    state.withLock { $0.buckets[type.storageGroupResource]?[ObjectKey(type.namespaced ? namespace : "", name)] }.map { present($0, as: type) }
  }

  /// Objects of a type, in one namespace or all (`nil`), sorted by namespace and name, with the
  /// revision the snapshot was taken at.
  public func list(_ type: ResourceType, namespace: String?, at exact: Int64? = nil) -> (items: [JSON], revision: Int64) {
    let (bucket, revision) = state.withLock { s -> ([ObjectKey: JSON], Int64) in
      var bucket = s.buckets[type.storageGroupResource] ?? [:]
      guard let target = exact, target < s.revision, target >= s.compactedRevision else { return (bucket, s.revision) }
      // The state at an older revision: undo the retained changes made after it, newest first.
      for change in s.history.reversed() where change.resourceVersion > target && change.storage == type.storageGroupResource {
        let key = ObjectKey(type.namespaced ? change.object.namespace : "", change.object.name)
        switch change.type {
        case "ADDED": bucket[key] = nil
        default: bucket[key] = change.previous
        }
      }
      return (bucket, target)
    }
    var keys = Array(bucket.keys)
    if let ns = namespace, type.namespaced { keys = keys.filter { $0.namespace == ns } }
    keys.sort()
    return (keys.map { present(bucket[$0]!, as: type) }, revision)
  }

  public func count(_ type: ResourceType) -> Int { state.withLock { $0.buckets[type.storageGroupResource]?.count ?? 0 } }

  /// Stamps `apiVersion`/`kind` of the version being served (storage is version-free).
  func present(_ object: JSON, as type: ResourceType) -> JSON {
    var o = object
    o["apiVersion"] = .string(type.groupVersion)
    o["kind"] = .string(type.kind)
    return o
  }

  // MARK: history

  /// Waits until the store changes after `seen` (a `changeGeneration` value) or `timeout` passes.
  public func waitForChange(after seen: UInt64, timeout: Double) -> UInt64 { signal.wait(after: seen, timeout: timeout) }

  /// The current change generation, for `waitForChange`.
  public var changeGeneration: UInt64 { signal.current }

  /// Changes after `revision`, or nil when that revision is older than the retained window.
  public func changes(after revision: Int64) -> (events: [ChangeEvent], revision: Int64)? {
    state.withLock { s in
      if revision < s.compactedRevision { return nil }
      var lo = 0, hi = s.history.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if s.history[mid].resourceVersion <= revision { lo = mid + 1 } else { hi = mid }
      }
      return (Array(s.history[lo...]), s.revision)
    }
  }

  /// Forgets all history: every watch that resumes from an older revision gets 410.
  public func compact() {
    state.withLock { s in
      s.history.removeAll()
      s.compactedRevision = s.revision
    }
    signal.notify()
  }

  public func setHistoryLimit(_ limit: Int) {
    state.withLock { s in
      s.historyLimit = max(1, limit)
      ObjectStore.trim(&s)
    }
  }

  static func record(_ event: ChangeEvent, in s: inout State) {
    s.history.append(event)
    trim(&s)
  }

  static func trim(_ s: inout State) {
    if s.history.count > s.historyLimit {
      let drop = s.history.count - s.historyLimit
      s.compactedRevision = s.history[drop - 1].resourceVersion
      s.history.removeFirst(drop)
    }
  }
}
