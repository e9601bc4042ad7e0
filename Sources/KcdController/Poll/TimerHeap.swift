/// Due times for keys, earliest first (a binary min-heap with lazy removal: rescheduling a
/// key leaves its old entry behind, skipped when it surfaces).
struct TimerHeap<Key: Hashable> {
  var entries: [(due: Double, key: Key, version: UInt64)] = []
  var current: [Key: (version: UInt64, due: Double)] = [:]
  var counter: UInt64 = 0

  var isEmpty: Bool { current.isEmpty }

  mutating func schedule(_ key: Key, at due: Double) {
    counter += 1
    current[key] = (counter, due)
    entries.append((due, key, counter))
    siftUp(entries.count - 1)
  }

  mutating func remove(_ key: Key) { current[key] = nil }

  /// When `key` is due, if it is scheduled.
  func due(of key: Key) -> Double? { current[key]?.due }

  /// The earliest live due time.
  mutating func nextDue() -> Double? {
    dropStale()
    return entries.first?.due
  }

  /// Removes and returns every key due at `now`.
  mutating func popDue(_ now: Double) -> [Key] {
    var out: [Key] = []
    while true {
      dropStale()
      guard let top = entries.first, top.due <= now else { return out }
      popTop()
      current[top.key] = nil
      out.append(top.key)
    }
  }

  mutating func dropStale() {
    while let top = entries.first, current[top.key]?.version != top.version { popTop() }
  }

  mutating func popTop() {
    entries.swapAt(0, entries.count - 1)
    entries.removeLast()
    if !entries.isEmpty { siftDown(0) }
  }

  mutating func siftUp(_ index: Int) {
    var i = index
    while i > 0 {
      let parent = (i - 1) / 2
      guard entries[i].due < entries[parent].due else { return }
      entries.swapAt(i, parent)
      i = parent
    }
  }

  mutating func siftDown(_ index: Int) {
    var i = index
    while true {
      let l = 2 * i + 1, r = l + 1
      var smallest = i
      if l < entries.count && entries[l].due < entries[smallest].due { smallest = l }
      if r < entries.count && entries[r].due < entries[smallest].due { smallest = r }
      guard smallest != i else { return }
      entries.swapAt(i, smallest)
      i = smallest
    }
  }
}
