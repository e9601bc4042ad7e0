import Synchronization

/// Prometheus metrics without a client library: counters, gauges and histograms with labels,
/// rendered in the text exposition format. Label values must come from bounded sets (codes,
/// sources, results) — never from request data.
public final class MetricsRegistry: Sendable {
  struct Family {
    var help: String
    var type: String
    var buckets: [Double] = []
    var series: [[String]: Series] = [:]
    var labelNames: [String]
  }

  struct Series {
    var value: Double = 0
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

  public func increment(_ name: String, _ labels: [String] = [], by amount: Double = 1) {
    families.withLock { f in f[name]?.series[labels, default: Series()].value += amount }
  }

  public func set(_ name: String, _ labels: [String] = [], _ value: Double) {
    families.withLock { f in f[name]?.series[labels, default: Series()].value = value }
  }

  public func observe(_ name: String, _ labels: [String] = [], _ value: Double) {
    families.withLock { f in
      guard let buckets = f[name]?.buckets else { return }
      var s = f[name]!.series[labels] ?? Series(counts: [UInt64](repeating: 0, count: buckets.count))
      for (i, b) in buckets.enumerated() where value <= b { s.counts[i] += 1 }
      s.sum += value
      s.count += 1
      f[name]!.series[labels] = s
    }
  }

  /// The current value of a counter or gauge series (tests and the dashboard read it).
  public func value(_ name: String, _ labels: [String] = []) -> Double {
    families.withLock { $0[name]?.series[labels]?.value ?? 0 }
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
          out += series("", [], MetricsRegistry.format(s.value))
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
