/// `time.Parse(layout, value)` for the two metav1 layouts, following Go's general parser
/// (src/time/format.go `parse`; `Parse` tries the stricter `parseRFC3339` fast path first and
/// falls back to it, so what it accepts is what Go accepts):
/// - year exactly four digits; month, day, minute and second exactly two; the hour ("15") one or
///   two digits; month 1–12, day within the month, hour 0–23, minute and second 0–59 (no leap second);
/// - the `T` and the `Z` are literal and case-sensitive (`t`, `z`, a space: rejected);
/// - `rfc3339`: an optional fraction after the seconds, `.` or `,` then any number of digits
///   (only nine count); `rfc3339Micro`: exactly six digits after `.` or `,` (Go's `atoi` even
///   takes a sign there: `.+12345` is 12345 µs; `.-12345` is "fractional second out of range");
/// - the zone `Z` or `±hh:mm`, both two digits, hours up to 24 and minutes up to 60 (Go's range
///   test is `>`); nothing may follow.
extension GoTime {
  init?(parsing text: String, _ layout: Layout) {
    var p = GoTimeScanner(Array(text.utf8))
    guard let year = p.digits(4), p.literal("-"), let month = p.digits(2), (1...12).contains(month), p.literal("-"),
          let day = p.digits(2), p.literal("T"), let hour = p.hour(), hour < 24, p.literal(":"),
          let minute = p.digits(2), minute < 60, p.literal(":"), let second = p.digits(2), second < 60 else { return nil }
    var nanos = 0
    switch layout {
    case .rfc3339:
      if p.remaining >= 2 && p.isSeparator(0) && p.isDigit(1) {
        p.skip(1)
        nanos = p.fraction()
      }
    case .rfc3339Micro:
      guard p.remaining >= 7, p.isSeparator(0) else { return nil }
      p.skip(1)
      guard let micros = p.signedSixDigits(), micros >= 0 else { return nil }
      nanos = micros * 1000
    }
    guard let offset = p.zone(), p.remaining == 0 else { return nil }
    guard (1...GoCalendar.daysIn(month: month, year: year)).contains(day) else { return nil }
    let days = GoCalendar.days(year: year, month: month, day: day)
    self.init(seconds: days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset), nanos: nanos)
  }
}

/// A cursor over the bytes of a timestamp, with Go's `getnum`, `atoi` and zone rules.
struct GoTimeScanner {
  let bytes: [UInt8]
  var at = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  var remaining: Int { bytes.count - at }

  func isDigit(_ offset: Int) -> Bool { at + offset < bytes.count && (48...57).contains(bytes[at + offset]) }
  func isSeparator(_ offset: Int) -> Bool { at + offset < bytes.count && (bytes[at + offset] == 46 || bytes[at + offset] == 44) }
  mutating func skip(_ n: Int) { at += n }

  mutating func literal(_ s: Unicode.Scalar) -> Bool {
    guard at < bytes.count, bytes[at] == UInt8(s.value) else { return false }
    at += 1
    return true
  }

  /// Exactly `count` decimal digits.
  mutating func digits(_ count: Int) -> Int? {
    guard remaining >= count, (0..<count).allSatisfy(isDigit) else { return nil }
    var n = 0
    for _ in 0..<count { n = n * 10 + Int(bytes[at] - 48); at += 1 }
    return n
  }

  /// Go's `getnum(value, false)` for the "15" hour: one digit, or two when two are there.
  mutating func hour() -> Int? {
    guard isDigit(0) else { return nil }
    return digits(isDigit(1) ? 2 : 1)
  }

  /// The digits after the separator, as nanoseconds from the first nine.
  mutating func fraction() -> Int {
    var nanos = 0, count = 0
    while isDigit(0) {
      if count < 9 { nanos = nanos * 10 + Int(bytes[at] - 48); count += 1 }
      at += 1
    }
    for _ in count..<9 { nanos *= 10 }
    return nanos
  }

  /// Go's `atoi` over six bytes: an optional sign, then digits only; in microseconds.
  mutating func signedSixDigits() -> Int? {
    var field = Array(bytes[at..<at + 6])
    at += 6
    var negative = false
    if let first = field.first, first == 43 || first == 45 { negative = first == 45; field.removeFirst() }
    guard field.allSatisfy({ (48...57).contains($0) }) else { return nil }
    var n = 0
    for b in field { n = n * 10 + Int(b - 48) }
    return negative ? -n : n
  }

  /// `Z` (offset 0) or `±hh:mm` as seconds east of UTC.
  mutating func zone() -> Int? {
    if literal("Z") { return 0 }
    guard remaining >= 6, bytes[at] == 43 || bytes[at] == 45, bytes[at + 3] == 58 else { return nil }
    let sign = bytes[at] == 45 ? -1 : 1
    at += 1
    guard let h = digits(2) else { return nil }
    at += 1
    guard let m = digits(2), h <= 24, m <= 60 else { return nil }
    return sign * (h * 3600 + m * 60)
  }
}
