#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Kubernetes time formats without Foundation: `metav1.Time` is RFC 3339 in whole seconds,
/// `MicroTime` has exactly six fractional digits and the apiserver refuses anything else.
public enum Timestamps {
  /// Wall-clock seconds since the epoch.
  public static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  /// `2024-05-01T10:00:00Z`
  public static func rfc3339(_ seconds: Double) -> String {
    let (date, time) = civil(Int64(seconds.rounded(.down)))
    return "\(date)T\(time)Z"
  }

  /// `2024-05-01T10:00:00.000000Z`
  public static func microTime(_ seconds: Double) -> String {
    let whole = Int64(seconds.rounded(.down))
    let micros = Int64(((seconds - Double(whole)) * 1_000_000).rounded(.down))
    let (date, time) = civil(whole)
    return "\(date)T\(time).\(pad(micros, 6))Z"
  }

  /// Parses RFC 3339 (with or without fraction, `Z` or an offset) to epoch seconds.
  public static func parse(_ text: String) -> Double? {
    let b = Array(text.utf8)
    guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x74, b[13] == 0x3A, b[16] == 0x3A
    else { return nil }
    func num(_ r: Range<Int>) -> Int64? {
      var v: Int64 = 0
      for i in r { guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }; v = v * 10 + Int64(b[i] - 0x30) }
      return v
    }
    guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16),
      let s = num(17..<19), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
    else { return nil }
    var i = 19
    var fraction = 0.0
    if i < b.count, b[i] == 0x2E {
      i += 1
      var scale = 0.1
      let start = i
      while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { fraction += Double(b[i] - 0x30) * scale; scale /= 10; i += 1 }
      if i == start { return nil }
    }
    guard i < b.count else { return nil }
    var offset: Int64 = 0
    if b[i] == 0x5A || b[i] == 0x7A {
      i += 1
    } else if b[i] == 0x2B || b[i] == 0x2D, i + 6 == b.count, b[i + 3] == 0x3A, let oh = num((i + 1)..<(i + 3)), let om = num((i + 4)..<(i + 6)) {
      offset = (oh * 3600 + om * 60) * (b[i] == 0x2B ? 1 : -1)
      i += 6
    } else {
      return nil
    }
    guard i == b.count else { return nil }
    let days = daysFromCivil(y, mo, d)
    return Double(days * 86400 + h * 3600 + mi * 60 + s - offset) + fraction
  }

  /// True when the text has the MicroTime layout the apiserver parses
  /// (`2006-01-02T15:04:05.000000Z07:00`: exactly six fractional digits, then `Z` or an offset).
  public static func isMicroTime(_ text: String) -> Bool {
    let b = Array(text.utf8)
    guard b.count >= 27, b[19] == 0x2E, b[20..<26].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
    guard b.count == 27 ? b[26] == 0x5A : (b.count == 32 && (b[26] == 0x2B || b[26] == 0x2D)) else { return false }
    return parse(text) != nil
  }

  static func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
  }

  static func civil(_ seconds: Int64) -> (String, String) {
    var days = seconds / 86400
    var rem = seconds % 86400
    if rem < 0 { rem += 86400; days -= 1 }
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
    return ("\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))", "\(pad(rem / 3600, 2)):\(pad(rem % 3600 / 60, 2)):\(pad(rem % 60, 2))")
  }

  static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = month > 2 ? month - 3 : month + 9
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }
}
