import KcdJSON
import KcdKube
import KcdCore
import Synchronization

/// The workloads of every kind kcd rolls out, kept as `Workload` values (a fraction of the
/// objects' size) and indexed by namespace. Each kind's informer feeds it through its own
/// `sink`, which replaces only that kind (and namespace) on a relist. A workload another
/// controller owns (a Deployment's ReplicaSets) is never kcd's to change, so it is not kept.
public final class WorkloadCache: Sendable {
  struct State {
    var objects: [WorkloadRef: Workload] = [:]
    var byNamespace: [String: Set<WorkloadRef>] = [:]
  }

  let state = ReadWriteLock(State())
  let onChange: @Sendable (WorkloadRef, Workload?, Workload?) -> Void

  public init(onChange: @escaping @Sendable (WorkloadRef, Workload?, Workload?) -> Void = { _, _, _ in }) {
    self.onChange = onChange
  }

  public func get(_ ref: WorkloadRef) -> Workload? { state.read { $0.objects[ref] } }

  public func inNamespace(_ namespace: String) -> [Workload] {
    state.read { s in (s.byNamespace[namespace] ?? []).compactMap { s.objects[$0] } }
  }

  public var count: Int { state.read { $0.objects.count } }

  /// The sink for one kind's informer (`namespace` nil: all namespaces).
  public func sink(kind: WorkloadKind, namespace: String?) -> any InformerSink {
    KindSink(cache: self, kind: kind, namespace: namespace)
  }

  func put(_ w: Workload) {
    let old = state.write { s -> Workload? in
      let old = s.objects.updateValue(w, forKey: w.ref)
      s.byNamespace[w.ref.namespace, default: []].insert(w.ref)
      return old
    }
    if old != w { onChange(w.ref, old, w) }
  }

  func remove(_ ref: WorkloadRef) {
    let old = state.write { s -> Workload? in
      let old = s.objects.removeValue(forKey: ref)
      s.byNamespace[ref.namespace]?.remove(ref)
      if s.byNamespace[ref.namespace]?.isEmpty == true { s.byNamespace[ref.namespace] = nil }
      return old
    }
    if let old { onChange(ref, old, nil) }
  }

  /// Refs of one kind (in one namespace, or all).
  func refs(kind: WorkloadKind, namespace: String?) -> [WorkloadRef] {
    state.read { s in s.objects.keys.filter { $0.kind == kind && (namespace == nil || $0.namespace == namespace) } }
  }
}

/// One kind's informer sink: decodes objects of that kind into the shared cache.
final class KindSink: InformerSink {
  let cache: WorkloadCache
  let kind: WorkloadKind
  let namespace: String?
  let relisting = Mutex<Set<WorkloadRef>?>(nil)

  init(cache: WorkloadCache, kind: WorkloadKind, namespace: String?) {
    self.cache = cache
    self.kind = kind
    self.namespace = namespace
  }

  func beginRelist() { relisting.withLock { $0 = [] } }

  func listed(_ page: [ListedObject]) {
    for item in page {
      let w = Workload(json: item.object, kind: kind)
      if w.isControlled { continue }
      relisting.withLock { _ = $0?.insert(w.ref) }
      cache.put(w)
    }
  }

  func endRelist() {
    guard let seen = relisting.withLock({ s -> Set<WorkloadRef>? in defer { s = nil }; return s }) else { return }
    for ref in cache.refs(kind: kind, namespace: namespace) where !seen.contains(ref) { cache.remove(ref) }
  }

  func upsert(_ object: ListedObject) {
    let w = Workload(json: object.object, kind: kind)
    // One that gained an owner since is dropped; one that lost it is kept from now on.
    if w.isControlled { cache.remove(w.ref) } else { cache.put(w) }
  }

  func delete(_ object: JSON) { cache.remove(Workload(json: object, kind: kind).ref) }
}
