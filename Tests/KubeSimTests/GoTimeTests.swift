import Testing

@testable import KubeSim

/// KubeSim's timestamp parsing against Go's `time.Parse` with the metav1 layouts. Each case
/// follows src/time/format.go (`parse`, `getnum`, `parseNanoseconds`, `atoi`); the expectations
/// are what Go returns, not what would seem reasonable.
@Suite struct GoTimeTests {
  /// metav1.Time decodes with `time.Parse(time.RFC3339, s)` (apimachinery meta/v1/time.go).
  @Test("time.RFC3339: accepted", arguments: [
    ("2024-03-01T12:34:56Z", 1_709_296_496, 0),
    ("2024-03-01T12:34:56.5Z", 1_709_296_496, 500_000_000),  // a fraction may follow the seconds when parsing
    ("2024-03-01T12:34:56,25Z", 1_709_296_496, 250_000_000),  // Go takes a comma as the separator too
    ("2024-03-01T12:34:56.1234567891234Z", 1_709_296_496, 123_456_789),  // any digits; only nine count
    ("2024-03-01T14:34:56+02:00", 1_709_296_496, 0),
    ("2024-03-01T02:04:56-10:30", 1_709_296_496, 0),
    ("2024-03-01T2:34:56Z", 1_709_260_496, 0),  // the "15" hour takes one digit (getnum not fixed)
    ("2024-03-02T00:34:56+24:00", 1_709_253_296, 0),  // zone hours are range-checked with >, so 24 passes
    ("2024-02-29T00:00:00Z", 1_709_164_800, 0),
    ("1969-12-31T23:59:59Z", -1, 0),
    ("0001-01-01T00:00:00Z", -62_135_596_800, 0),
  ])
  func rfc3339Accepted(text: String, seconds: Int64, nanos: Int) {
    let t = GoTime(parsing: text, .rfc3339)
    #expect(t == GoTime(seconds: seconds, nanos: nanos), "\(text)")
  }

  @Test("time.RFC3339: rejected", arguments: [
    "2024-03-01t12:34:56Z",  // the T is a literal, matched byte for byte
    "2024-03-01T12:34:56z",  // so is the Z; a lowercase z is read as an offset and fails
    "2024-03-01 12:34:56Z",
    "2024-03-01T12:34:56",  // no zone
    "2024-3-01T12:34:56Z",  // "01" month: two digits
    "2024-03-1T12:34:56Z",
    "24-03-01T12:34:56Z",  // "2006": four digits
    "2024-03-01T12:4:56Z",  // "04" minute: two digits
    "2024-03-01T24:00:00Z",  // hour out of range
    "2024-03-01T12:60:00Z",
    "2024-03-01T23:59:60Z",  // no leap seconds
    "2023-02-29T00:00:00Z",  // day out of range for the month
    "2024-13-01T00:00:00Z",
    "2024-03-01T12:34:56.Z",  // a separator needs a digit after it
    "2024-03-01T12:34:56+0200",  // "Z07:00" wants the colon
    "2024-03-01T12:34:56+25:00",  // time zone offset hour out of range
    "2024-03-01T12:34:56Z ",  // extra text
    "",
  ])
  func rfc3339Rejected(text: String) {
    #expect(GoTime(parsing: text, .rfc3339) == nil, "\(text)")
  }

  /// metav1.MicroTime decodes with `time.Parse("2006-01-02T15:04:05.000000Z07:00", s)`
  /// (apimachinery meta/v1/micro_time.go): `.000000` is stdFracSecond0, exactly six digits.
  @Test("RFC3339Micro: exactly six fractional digits", arguments: [
    ("2024-03-01T12:34:56.123456Z", 123_456_000 as Int?),
    ("2024-03-01T12:34:56,123456Z", 123_456_000),
    ("2024-03-01T12:34:56.+12345Z", 12_345_000),  // Go's atoi takes a sign: twelve thousand µs
    ("2024-03-01T12:34:56.-12345Z", nil),  // "fractional second out of range"
    ("2024-03-01T12:34:56Z", nil),
    ("2024-03-01T12:34:56.12345Z", nil),
    ("2024-03-01T12:34:56.1234567Z", nil),
    ("2024-03-01T12:34:56.123Z", nil),
  ])
  func micro(text: String, nanos: Int?) {
    #expect(GoTime(parsing: text, .rfc3339Micro)?.nanos == nanos, "\(text)")
  }

  /// metav1.Time marshals `t.UTC().Format(time.RFC3339)`, MicroTime with six digits; Go
  /// truncates the fraction.
  @Test("formatting is UTC, whole seconds or six truncated digits")
  func formatting() {
    let t = GoTime(parsing: "2024-03-01T14:34:56.9999999+02:00", .rfc3339)!
    #expect(t.formatted(.rfc3339) == "2024-03-01T12:34:56Z")
    #expect(t.formatted(.rfc3339Micro) == "2024-03-01T12:34:56.999999Z")
    #expect(GoTime(seconds: -1).formatted(.rfc3339) == "1969-12-31T23:59:59Z")
    #expect(GoTime(seconds: 951_782_400).formatted(.rfc3339) == "2000-02-29T00:00:00Z")
  }
}
