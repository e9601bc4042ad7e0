import KcdJSON
import KcdKube
import KcdCore

/// The KCDs kcd knows, decoded once per resourceVersion and indexed the ways they are asked
/// for: by (repository, tag) for intake, by namespace, and by the workloads of rollouts in
/// flight (a workload change wakes only the KCDs rolling it out). Reads take the lock for a
/// lookup only: nothing is copied but the values asked for.
public final class KCDCache: InformerSink {
  /// What an event is matched on: canonical repository and tag.
  public struct Follow: Hashable, Sendable {
    public var repository: String
    public var tag: String

    public init(repository: String, tag: String) {
      self.repository = repository
      self.tag = tag
    }
  }

  struct State {
    var objects: [String: KCD] = [:]
    var byFollow: [Follow: Set<String>] = [:]
    /// Stream-mode KCDs by canonical repository.
    var byStream: [String: Set<String>] = [:]
    var byNamespace: [String: Set<String>] = [:]
    var byTarget: [WorkloadRef: Set<String>] = [:]
    /// Keys listed since `beginRelist`; nil outside a relist.
    var relisting: Set<String>?
  }

  let state = ReadWriteLock(State())
  /// Told about every change, outside the lock (old, new; nil = absent).
  let onChange: @Sendable (KCD?, KCD?) -> Void

  public init(onChange: @escaping @Sendable (KCD?, KCD?) -> Void = { _, _ in }) {
    self.onChange = onChange
  }

  // MARK: reads

  public func get(_ key: String) -> KCD? { state.read { $0.objects[key] } }

  public func get(namespace: String, name: String) -> KCD? { get("\(namespace)/\(name)") }

  /// KCDs whose spec follows this repository and tag (including ones kcd refuses to act on,
  /// so intake can say why).
  public func following(_ follow: Follow) -> [KCD] {
    state.read { s in (s.byFollow[follow] ?? []).compactMap { s.objects[$0] } }
  }

  /// Whether any KCD follows this repository and tag (no copies made): in pointer mode by the
  /// tag, in stream mode when the tag is a version by the KCD's policy.
  public func isFollowed(_ follow: Follow) -> Bool {
    state.read { s in
      if s.byFollow[follow]?.isEmpty == false { return true }
      return (s.byStream[follow.repository] ?? []).contains { s.objects[$0]?.spec?.isVersion(follow.tag) == true }
    }
  }

  /// Stream-mode KCDs of this repository whose policy takes the tag as a version.
  public func streaming(_ follow: Follow) -> [KCD] {
    state.read { s in (s.byStream[follow.repository] ?? []).compactMap { s.objects[$0] }.filter { $0.spec?.isVersion(follow.tag) == true } }
  }

  public func inNamespace(_ namespace: String) -> [KCD] {
    state.read { s in (s.byNamespace[namespace] ?? []).compactMap { s.objects[$0] } }
  }

  /// Keys of KCDs whose rollout in flight includes this workload.
  public func rollingOut(_ ref: WorkloadRef) -> Set<String> { state.read { $0.byTarget[ref] ?? [] } }

  /// Every KCD (a copy: for listings, not for request paths).
  public var all: [KCD] { state.read { Array($0.objects.values) } }
  public var count: Int { state.read { $0.objects.count } }

  // MARK: InformerSink

  public func beginRelist() { state.write { $0.relisting = [] } }

  public func listed(_ page: [ListedObject]) {
    for item in page { store(item, relist: true) }
  }

  public func endRelist() {
    let gone: [KCD] = state.write { s in
      guard let seen = s.relisting else { return [] }
      s.relisting = nil
      let removed = s.objects.keys.filter { !seen.contains($0) }
      return removed.compactMap { KCDCache.remove($0, from: &s) }
    }
    for old in gone { onChange(old, nil) }
  }

  public func upsert(_ object: ListedObject) { store(object, relist: false) }

  public func delete(_ object: JSON) {
    let old = state.write { KCDCache.remove(Informer.key(object), from: &$0) }
    if let old { onChange(old, nil) }
  }

  /// Decodes only when the resourceVersion changed (a relist of an unchanged KCD costs a lookup).
  func store(_ item: ListedObject, relist: Bool) {
    let key = Informer.key(item.object)
    let rv = item.object["metadata"]["resourceVersion"].stringValue ?? ""
    let existing = state.write { s -> KCD? in
      if relist { s.relisting?.insert(key) }
      return s.objects[key]
    }
    if let existing, existing.resourceVersion == rv, !rv.isEmpty { return }
    let kcd = KCD(json: item.object, truncated: item.truncated)
    let old = state.write { s -> KCD? in
      let old = KCDCache.remove(key, from: &s)
      KCDCache.insert(kcd, into: &s)
      return old
    }
    onChange(old, kcd)
  }

  static func follow(of kcd: KCD) -> Follow? { kcd.follow }

  static func targets(of kcd: KCD) -> [WorkloadRef] {
    guard kcd.status.currStatus == .progressing, let r = kcd.status.rollout, !r.isFinished else { return [] }
    // A blue-green rollout follows its live side too (scaled down, scaled back, checked).
    let live = r.blueGreen.map { [WorkloadRef(kind: .deployment, namespace: kcd.namespace, name: $0.live.name)] } ?? []
    return r.workloads.map { WorkloadRef(kind: $0.kind, namespace: kcd.namespace, name: $0.name) } + live
  }

  static func insert(_ kcd: KCD, into s: inout State) {
    let key = kcd.key
    s.objects[key] = kcd
    s.byNamespace[kcd.namespace, default: []].insert(key)
    if let f = follow(of: kcd) { s.byFollow[f, default: []].insert(key) }
    if let r = kcd.stream { s.byStream[r, default: []].insert(key) }
    for t in targets(of: kcd) { s.byTarget[t, default: []].insert(key) }
  }

  static func remove(_ key: String, from s: inout State) -> KCD? {
    guard let old = s.objects.removeValue(forKey: key) else { return nil }
    s.byNamespace[old.namespace]?.remove(key)
    if s.byNamespace[old.namespace]?.isEmpty == true { s.byNamespace[old.namespace] = nil }
    if let f = follow(of: old) {
      s.byFollow[f]?.remove(key)
      if s.byFollow[f]?.isEmpty == true { s.byFollow[f] = nil }
    }
    if let r = old.stream {
      s.byStream[r]?.remove(key)
      if s.byStream[r]?.isEmpty == true { s.byStream[r] = nil }
    }
    for t in targets(of: old) {
      s.byTarget[t]?.remove(key)
      if s.byTarget[t]?.isEmpty == true { s.byTarget[t] = nil }
    }
    return old
  }
}
