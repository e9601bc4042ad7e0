/// An instant as the apiserver's Go code holds it: whole seconds since the Unix epoch and
/// nanoseconds. KubeSim parses and prints timestamps with this type, written from Go's rules,
/// never with kcd's own `Timestamps`, so one misunderstanding cannot pass both sides.
struct GoTime: Sendable, Hashable {
  var seconds: Int64
  var nanos: Int

  init(seconds: Int64, nanos: Int = 0) {
    self.seconds = seconds
    self.nanos = nanos
  }

  /// From a clock reading in (fractional) seconds.
  init(_ clock: Double) {
    let whole = clock.rounded(.down)
    self.init(seconds: Int64(whole), nanos: min(999_999_999, Int(((clock - whole) * 1e9).rounded())))
  }

  /// The two layouts metav1 decodes and encodes with (k8s.io/apimachinery pkg/apis/meta/v1
  /// time.go and micro_time.go).
  enum Layout: Sendable {
    /// `time.RFC3339`, "2006-01-02T15:04:05Z07:00": metav1.Time. Encoded in whole seconds.
    case rfc3339
    /// `RFC3339Micro`, "2006-01-02T15:04:05.000000Z07:00": metav1.MicroTime. Six digits both ways.
    case rfc3339Micro
  }

  /// `t.UTC().Format(layout)`: Go truncates the fraction, it does not round.
  func formatted(_ layout: Layout) -> String {
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = Int(seconds - days * 86_400)
    let (y, m, d) = GoCalendar.civil(fromDays: days)
    var text = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
      + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
    if layout == .rfc3339Micro { text += "." + pad(nanos / 1000, 6) }
    return text + "Z"
  }

  private func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, width - s.count)) + s
  }
}

/// Proleptic Gregorian day arithmetic (days since 1970-01-01), as Go's time package uses.
enum GoCalendar {
  static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  static func days(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = Int64((month + 9) % 12)
    let doy = (153 * mp + 2) / 5 + Int64(day) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  static func civil(fromDays z0: Int64) -> (year: Int, month: Int, day: Int) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = Int(doy - (153 * mp + 2) / 5 + 1)
    let m = Int(mp < 10 ? mp + 3 : mp - 9)
    return (Int(yoe + era * 400) + (m <= 2 ? 1 : 0), m, d)
  }
}
