/// One scrape of kcd's `/metrics`: enough Prometheus text parsing to difference two scrapes
/// of a histogram or a counter family, the bench's second opinion on its own timings.
struct ScaleMetrics {
  /// Series line ("name{labels}") → value.
  var samples: [String: Double] = [:]

  init(text: String) {
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
      samples[String(line[..<space])] = value
    }
  }

  /// A histogram's observations between two scrapes: count, sum and cumulative buckets.
  struct HistogramDelta {
    var count: Double
    var sum: Double
    /// (upper bound, cumulative count), ascending.
    var buckets: [(le: Double, count: Double)]

    var mean: Double { count > 0 ? sum / count : .nan }

    /// The upper bound of the bucket holding quantile `q` (Prometheus's resolution).
    func quantileBound(_ q: Double) -> Double? {
      guard count > 0 else { return nil }
      return buckets.first { $0.count >= q * count }?.le
    }
  }

  static func histogram(_ name: String, from before: ScaleMetrics, to after: ScaleMetrics) -> HistogramDelta {
    func delta(_ key: String) -> Double { (after.samples[key] ?? 0) - (before.samples[key] ?? 0) }
    var buckets: [(Double, Double)] = []
    for key in after.samples.keys where key.hasPrefix(name + "_bucket{le=\"") {
      let bound = key.dropFirst(name.count + 12).prefix { $0 != "\"" }
      buckets.append((bound == "+Inf" ? .infinity : Double(bound) ?? .infinity, delta(key)))
    }
    buckets.sort { $0.0 < $1.0 }
    return HistogramDelta(count: delta(name + "_count"), sum: delta(name + "_sum"), buckets: buckets)
  }

  /// The change of every series of a counter family, e.g. kcd_kube_requests_total by verb and code.
  static func counters(_ name: String, from before: ScaleMetrics, to after: ScaleMetrics) -> [(labels: String, delta: Double)] {
    after.samples.keys.filter { $0.hasPrefix(name + "{") }.sorted().compactMap { key in
      let d = after.samples[key]! - (before.samples[key] ?? 0)
      return d == 0 ? nil : (String(key.dropFirst(name.count)), d)
    }
  }
}
