import Synchronization

/// Prometheus metrics without a client library: counters, gauges and histograms with labels,
/// rendered in the text exposition format. Label values must come from bounded sets (codes,
/// sources, results) — never from request data. Counters and gauges are atomic cells: a hot
/// path that holds its cell (`cell(_:_:)`) updates it without any lock.
public final class MetricsRegistry: Sendable {
  struct Family {
    var help: String
    var type: String
    var buckets: [Double] = []
    var series: [[String]: Series] = [:]
    var labelNames: [String]
  }

  struct Series {
    var cell = MetricCell()
    var counts: [UInt64] = []
    var sum: Double = 0
    var count: UInt64 = 0
  }

  let families = Mutex<[String: Family]>([:])

  public init() {}

  public func counter(_ name: String, help: String, labels: [String] = []) {
    families.withLock { if $0[name] == nil { $0[name] = Family(help: help, type: "counter", labelNames: labels) } }
  }

  public func gauge(_ name: String, help: String, labels: [String] = []) {
    families.withLock { if $0[name] == nil { $0[name] = Family(help: help, type: "gauge", labelNames: labels) } }
  }

  public func histogram(_ name: String, help: String, labels: [String] = [], buckets: [Double]) {
    families.withLock { if $0[name] == nil { $0[name] = Family(help: help, type: "histogram", buckets: buckets.sorted(), labelNames: labels) } }
  }

  /// The cell of a counter or gauge series, created on first use; nil for an unknown family.
  /// Keep it to update the series without taking the registry's lock.
  public func cell(_ name: String, _ labels: [String] = [], preferring candidate: MetricCell? = nil) -> MetricCell? {
    families.withLock { f -> MetricCell? in
      guard f[name] != nil, f[name]!.type != "histogram" else { return nil }
      if let s = f[name]!.series[labels] { return s.cell }
      let s = Series(cell: candidate ?? MetricCell())
      f[name]!.series[labels] = s
      return s.cell
    }
  }

  public func increment(_ name: String, _ labels: [String] = [], by amount: Double = 1) {
    cell(name, labels)?.add(amount)
  }

  public func set(_ name: String, _ labels: [String] = [], _ value: Double) {
    cell(name, labels)?.set(value)
  }

  public func observe(_ name: String, _ labels: [String] = [], _ value: Double) {
    families.withLock { f in
      guard let buckets = f[name]?.buckets, f[name]?.type == "histogram" else { return }
      var s = f[name]!.series[labels] ?? Series(counts: [UInt64](repeating: 0, count: buckets.count))
      for (i, b) in buckets.enumerated() where value <= b { s.counts[i] += 1 }
      s.sum += value
      s.count += 1
      f[name]!.series[labels] = s
    }
  }

  /// The cell to update for this series: `cell` itself once it is the registry's (no lock
  /// after the first time), else the series' own cell (nil for an unknown family).
  public func live(_ cell: MetricCell, _ name: String, _ labels: @autoclosure () -> [String]) -> MetricCell? {
    // The labels are only built the first time (hot paths count on every request).
    if cell.attached.load(ordering: .acquiring) { return cell }
    let registered = self.cell(name, labels(), preferring: cell)
    if registered === cell { cell.attached.store(true, ordering: .releasing) }
    return registered
  }

  /// The current value of a counter or gauge series (tests and the dashboard read it).
  public func value(_ name: String, _ labels: [String] = []) -> Double {
    let cell = families.withLock { $0[name]?.series[labels]?.cell }
    return cell?.value ?? 0
  }

  /// Number of observations of a histogram series.
  public func count(_ name: String, _ labels: [String] = []) -> UInt64 {
    families.withLock { $0[name]?.series[labels]?.count ?? 0 }
  }

  public func render() -> String {
    let snapshot = families.withLock { $0 }
    var out = ""
    for name in snapshot.keys.sorted() {
      let f = snapshot[name]!
      out += "# HELP \(name) \(f.help)\n# TYPE \(name) \(f.type)\n"
      for labels in f.series.keys.sorted(by: { $0.joined(separator: "\u{0}") < $1.joined(separator: "\u{0}") }) {
        let s = f.series[labels]!
        let base = zip(f.labelNames, labels).map { "\($0)=\"\(MetricsRegistry.escape($1))\"" }
        func series(_ suffix: String, _ extra: [String], _ value: String) -> String {
          let all = base + extra
          return "\(name)\(suffix)\(all.isEmpty ? "" : "{" + all.joined(separator: ",") + "}") \(value)\n"
        }
        if f.type == "histogram" {
          for (i, b) in f.buckets.enumerated() { out += series("_bucket", ["le=\"\(MetricsRegistry.format(b))\""], String(s.counts[i])) }
          out += series("_bucket", ["le=\"+Inf\""], String(s.count))
          out += series("_sum", [], MetricsRegistry.format(s.sum))
          out += series("_count", [], String(s.count))
        } else {
          out += series("", [], MetricsRegistry.format(s.cell.value))
        }
      }
    }
    return out
  }

  static func escape(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n": out += "\\n"
      default: out.append(c)
      }
    }
    return out
  }

  static func format(_ v: Double) -> String {
    if v.rounded() == v && abs(v) < 1e15 { return String(Int64(v)) }
    return String(v)
  }
}

/// One counter or gauge value, updated atomically (a Double kept as its bit pattern).
public final class MetricCell: Sendable {
  let bits = Atomic<UInt64>(0)
  /// Part of the registry (a detached cell shows up in `/metrics` on first use).
  let attached = Atomic<Bool>(false)

  public init() {}

  public var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }

  public func add(_ amount: Double) {
    var old = bits.load(ordering: .relaxed)
    while true {
      let new = (Double(bitPattern: old) + amount).bitPattern
      let (exchanged, current) = bits.compareExchange(expected: old, desired: new, ordering: .relaxed)
      if exchanged { return }
      old = current
    }
  }

  public func set(_ value: Double) { bits.store(value.bitPattern, ordering: .relaxed) }
}

/// Cells for a family with a small, known set of label values: the hot path looks its cell up
/// in an immutable table (no lock), and a series appears in `/metrics` only once used. A label
/// value it did not expect goes through the registry.
public struct MetricCells: Sendable {
  let registry: MetricsRegistry
  let name: String
  let table: [[String]: MetricCell]

  public init(_ registry: MetricsRegistry, _ name: String, expected: [[String]]) {
    self.registry = registry
    self.name = name
    var table: [[String]: MetricCell] = [:]
    for labels in expected { table[labels] = MetricCell() }
    self.table = table
  }

  public func increment(_ labels: [String], by amount: Double = 1) {
    guard let cell = table[labels] else { registry.increment(name, labels, by: amount); return }
    if !cell.attached.load(ordering: .acquiring) {
      let actual = registry.cell(name, labels, preferring: cell)
      guard actual === cell else { actual?.add(amount); return }
      cell.attached.store(true, ordering: .releasing)
    }
    cell.add(amount)
  }
}
