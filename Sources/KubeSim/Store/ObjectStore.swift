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
    var history: ChangeHistory
  }

  let state: Mutex<State>
  let signal = ChangeSignal()
  /// Wall clock for timestamps; tests may pin it.
  let clock: @Sendable () -> Double

  /// The Kubernetes version whose behaviour the store and the API follow.
  public let version: EmulatedVersion

  public init(historyLimit: Int = 10_000, clock: @escaping @Sendable () -> Double = Timestamps.now, version: EmulatedVersion = EmulatedVersion(minor: 30)) {
    var s = State(history: ChangeHistory(limit: historyLimit))
    for t in version.builtinTypes { s.types[ObjectStore.typeKey(t.group, t.version, t.plural)] = t }
    self.state = Mutex(s)
    self.clock = clock
    self.version = version
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

  /// The revision of the last `compact()`.
  public var compactedRevision: Int64 { state.withLock { $0.history.floor } }

  /// The oldest revision a watch or an exact read of this resource can start from.
  public func lowerBound(of type: ResourceType) -> Int64 {
    state.withLock { $0.history.lowerBound(of: type.storageGroupResource) }
  }

  public func get(_ type: ResourceType, namespace: String, name: String) -> JSON? {
    state.withLock { $0.buckets[type.storageGroupResource]?[ObjectKey(type.namespaced ? namespace : "", name)] }.map { present($0, as: type) }
  }

  /// Objects of a type, in one namespace or all (`nil`), sorted by namespace and name, with the
  /// revision the snapshot was taken at.
  public func list(_ type: ResourceType, namespace: String?, at exact: Int64? = nil) -> (items: [JSON], revision: Int64) {
    let (bucket, revision) = state.withLock { s -> ([ObjectKey: JSON], Int64) in
      var bucket = s.buckets[type.storageGroupResource] ?? [:]
      guard let target = exact, target < s.revision,
            let later = s.history.changes(of: type.storageGroupResource, after: target) else { return (bucket, s.revision) }
      // The state at an older revision: undo the retained changes made after it, newest first.
      for change in later.reversed() {
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

  /// Changes of every resource after `revision`, or nil when a resource's window moved past it.
  public func changes(after revision: Int64) -> (events: [ChangeEvent], revision: Int64)? {
    state.withLock { s in s.history.allChanges(after: revision).map { ($0, s.revision) } }
  }

  /// Changes of one resource after `revision`, or nil when that revision is outside its window.
  public func changes(of type: ResourceType, after revision: Int64) -> (events: ArraySlice<ChangeEvent>, revision: Int64)? {
    state.withLock { s in s.history.changes(of: type.storageGroupResource, after: revision).map { ($0, s.revision) } }
  }

  /// Forgets all history: every watch that resumes from an older revision gets 410.
  public func compact() {
    state.withLock { s in s.history.compactAll(at: s.revision) }
    signal.notify()
  }

  /// Events kept per resource.
  public func setHistoryLimit(_ limit: Int) {
    state.withLock { $0.history.setLimit(limit) }
  }

  static func record(_ event: ChangeEvent, in s: inout State) {
    s.history.record(event)
  }
}
