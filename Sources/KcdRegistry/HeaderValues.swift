import KcdCore
import KcdHTTP

/// `Link` header values (RFC 8288) as registries send them for paginated lists:
/// `</v2/team/app/tags/list?n=2&last=b>; rel="next"`.
public enum LinkHeader {
  /// The target of the first link whose relations include `next`, across all given values.
  public static func next(_ values: [String]) -> String? {
    for value in values {
      if let link = links(value).first(where: { $0.relations.contains("next") }) { return link.target }
    }
    return nil
  }

  /// Every `<target>; params` in one value, with `rel` split into lower-cased relations.
  public static func links(_ value: String) -> [(target: String, relations: [String])] {
    let b = Array(value.utf8)
    var out: [(target: String, relations: [String])] = []
    var i = 0
    while i < b.count {
      while i < b.count, b[i] != 0x3C { i += 1 }
      guard i < b.count else { break }
      let start = i + 1
      while i < b.count, b[i] != 0x3E { i += 1 }
      guard i < b.count else { break }
      let target = String(decoding: b[start..<i], as: UTF8.self)
      i += 1
      // Parameters run to the next comma outside quotes.
      var params: [UInt8] = []
      var inQuotes = false
      while i < b.count {
        let c = b[i]
        if c == 0x22 { inQuotes.toggle() }
        if c == 0x2C, !inQuotes { break }
        params.append(c)
        i += 1
      }
      var relations: [String] = []
      for part in String(decoding: params, as: UTF8.self).split(separator: ";") {
        let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
        guard pair.count == 2, pair[0].lowercased() == "rel" else { continue }
        let raw = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
        relations += raw.lowercased().split(separator: " ").map(String.init)
      }
      out.append((target, relations))
    }
    return out
  }
}

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
  /// Seconds to wait from `now` (never negative), or nil when absent or unreadable.
  public static func seconds(_ value: String?, now: Double = Timestamps.now()) -> Double? {
    guard let value = value?.trimmingSpaces(), !value.isEmpty else { return nil }
    // Clamped to a day: a hostile registry must not be able to park (or crash) a caller.
    if value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return Double(value).map { min($0, 86400) } }
    guard let date = httpDate(value), date.isFinite else { return nil }
    return min(86400, max(0, date - now))
  }

  static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

  /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and the two obsolete forms a sender may
  /// still use (RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`, asctime `Sun Nov  6 08:49:37 1994`).
  public static func httpDate(_ text: String) -> Double? {
    let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
    var month: Int?
    var time: String?
    var numbers: [String] = []
    for t in tokens {
      if let m = months.firstIndex(of: t.lowercased()) { month = m + 1 }
      else if t.contains(":") { time = t }
      else if t.allSatisfy(\.isNumber) { numbers.append(t) }
    }
    guard let month, let time, numbers.count == 2 else { return nil }
    var day: Int
    var year: Int
    if numbers[1].count == 4 {
      day = Int(numbers[0]) ?? 0
      year = Int(numbers[1]) ?? 0
    } else if numbers[0].count == 4 {
      year = Int(numbers[0]) ?? 0
      day = Int(numbers[1]) ?? 0
    } else {
      day = Int(numbers[0]) ?? 0
      year = Int(numbers[1]) ?? 0
      year += year < 70 ? 2000 : 1900
    }
    let clock = time.split(separator: ":")
    guard clock.count == 3, clock.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isNumber) }), (1...31).contains(day), year >= 1970 else { return nil }
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return Timestamps.parse("\(year)-\(two(month))-\(two(day))T\(clock[0]):\(clock[1]):\(clock[2])Z")
  }
}
