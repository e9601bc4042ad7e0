/// The watch window of every resource, kept apart as kube-apiserver's watch cache does (one
/// cache per resource, `k8s.io/apiserver/pkg/storage/cacher/watch_cache.go`): a kind that changes
/// rarely keeps its window however much other kinds churn, so a watch resumed from its last event
/// is served, not answered 410.
struct ChangeHistory {
  struct Window {
    var events: [ChangeEvent] = []
    /// Watches and exact reads may start at this revision or later; older ones are 410 Expired.
    /// It is the revision before the oldest retained event once one was dropped
    /// (`getAllEventsSinceLocked`: `resourceVersion < oldest-1` is "too old").
    var lowerBound: Int64
  }

  var windows: [String: Window] = [:]
  /// Events kept per resource.
  var limit: Int
  /// The revision of the last `compactAll`; a resource with no window yet starts here.
  var floor: Int64 = 0

  init(limit: Int) { self.limit = max(1, limit) }

  func lowerBound(of storage: String) -> Int64 { windows[storage]?.lowerBound ?? floor }

  mutating func record(_ event: ChangeEvent) {
    windows[event.storage, default: Window(lowerBound: floor)].events.append(event)
    trim(event.storage)
  }

  mutating func setLimit(_ limit: Int) {
    self.limit = max(1, limit)
    for storage in Array(windows.keys) { trim(storage) }
  }

  mutating func compactAll(at revision: Int64) {
    floor = revision
    windows.removeAll()
  }

  /// One resource's changes after `revision`, or nil when that revision is outside its window.
  func changes(of storage: String, after revision: Int64) -> ArraySlice<ChangeEvent>? {
    guard let window = windows[storage] else { return revision < floor ? nil : [] }
    if revision < window.lowerBound { return nil }
    return window.events[Self.firstIndex(in: window.events, after: revision)...]
  }

  /// Every resource's changes after `revision` in revision order, or nil when any window has
  /// moved past it.
  func allChanges(after revision: Int64) -> [ChangeEvent]? {
    if revision < floor { return nil }
    var merged: [ChangeEvent] = []
    for window in windows.values {
      if revision < window.lowerBound { return nil }
      merged.append(contentsOf: window.events[Self.firstIndex(in: window.events, after: revision)...])
    }
    merged.sort { $0.resourceVersion < $1.resourceVersion }
    return merged
  }

  private mutating func trim(_ storage: String) {
    guard var window = windows[storage], window.events.count > limit else { return }
    windows[storage] = nil  // keep the array uniquely referenced while it shrinks
    window.events.removeFirst(window.events.count - limit)
    window.lowerBound = window.events[0].resourceVersion - 1
    windows[storage] = window
  }

  private static func firstIndex(in events: [ChangeEvent], after revision: Int64) -> Int {
    var lo = 0, hi = events.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if events[mid].resourceVersion <= revision { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }
}
