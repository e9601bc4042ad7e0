/// Formatting for the scale report (no Foundation, so no String(format:)): fixed decimals,
/// thousands separators, percentiles, and one aligned row per figure with its SPEC §8 target.
enum ScaleReport {
  /// `v` with exactly `digits` decimals.
  static func fixed(_ v: Double, _ digits: Int = 1) -> String {
    guard v.isFinite else { return "\(v)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let n = Int64((abs(v) * scale).rounded())
    let whole = n / Int64(scale)
    var text = grouped(Int(whole))
    if digits > 0 {
      let frac = String(n % Int64(scale))
      text += "." + String(repeating: "0", count: digits - frac.count) + frac
    }
    return (v < 0 && n != 0 ? "-" : "") + text
  }

  /// 12345 → "12,345".
  static func grouped(_ n: Int) -> String {
    let digits = Array(String(abs(n)))
    var out = ""
    for (i, d) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
      out.append(d)
    }
    return (n < 0 ? "-" : "") + out
  }

  /// Seconds as milliseconds with a precision that suits the size.
  static func ms(_ seconds: Double) -> String {
    let m = seconds * 1000
    return fixed(m, m < 10 ? 2 : (m < 100 ? 1 : 0)) + " ms"
  }

  /// Seconds, "0.42 s" / "12.3 s".
  static func s(_ seconds: Double) -> String { fixed(seconds, seconds < 10 ? 2 : 1) + " s" }

  static func mib(kib: Int) -> String { fixed(Double(kib) / 1024, 1) + " MiB" }

  /// Nearest-rank percentile (p in 0...1) of unsorted values.
  static func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[max(0, min(sorted.count - 1, rank - 1))]
  }

  static func padded(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
  }

  /// One figure: what, the measurement, the target, PASS/MISS (nil: nothing to judge).
  static func row(_ label: String, _ value: String, target: String, pass: Bool?) -> String {
    let verdict = pass.map { $0 ? "PASS" : "MISS" } ?? "-"
    return "  " + padded(label, 40) + padded(value, 58) + padded("target " + target, 30) + verdict
  }

  /// A detail line under a figure.
  static func detail(_ text: String) -> String { "      " + text }

  /// "3 × 202, 1 × 503" from a code count table.
  static func codes(_ table: [Int: Int]) -> String {
    table.keys.sorted().map { "\(grouped(table[$0]!)) × \($0 < 0 ? "no answer" : String($0))" }.joined(separator: ", ")
  }
}
