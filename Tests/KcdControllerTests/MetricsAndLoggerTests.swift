import KcdCore
import KcdJSON
import Synchronization
import Testing

/// `MetricsRegistry` renders the Prometheus text exposition format byte for byte; `Logger`
/// writes one JSON object (or one text line) per entry whatever the values hold.
@Suite struct MetricsTests {
  @Test("a counter with labels, a gauge and a histogram render exactly")
  func exposition() {
    let m = MetricsRegistry()
    m.counter("kcd_hook_requests_total", help: "Webhook requests, by source and status code.", labels: ["source", "code"])
    m.gauge("kcd_queue_depth", help: "KCDs waiting to be reconciled.")
    m.histogram("kcd_event_to_patch_seconds", help: "Seconds from receipt to patch.", buckets: [1, 0.1, 0.5])
    m.increment("kcd_hook_requests_total", ["ci", "401"], by: 2)
    m.increment("kcd_hook_requests_total", ["ci", "202"])
    m.increment("kcd_hook_requests_total", ["ci", "202"])
    m.set("kcd_queue_depth", [], 7)
    m.set("kcd_queue_depth", [], 3.5)
    for v in [0.25, 0.5, 0.75, 2] { m.observe("kcd_event_to_patch_seconds", [], v) }
    #expect(m.render() == """
      # HELP kcd_event_to_patch_seconds Seconds from receipt to patch.
      # TYPE kcd_event_to_patch_seconds histogram
      kcd_event_to_patch_seconds_bucket{le="0.1"} 0
      kcd_event_to_patch_seconds_bucket{le="0.5"} 2
      kcd_event_to_patch_seconds_bucket{le="1"} 3
      kcd_event_to_patch_seconds_bucket{le="+Inf"} 4
      kcd_event_to_patch_seconds_sum 3.5
      kcd_event_to_patch_seconds_count 4
      # HELP kcd_hook_requests_total Webhook requests, by source and status code.
      # TYPE kcd_hook_requests_total counter
      kcd_hook_requests_total{source="ci",code="202"} 2
      kcd_hook_requests_total{source="ci",code="401"} 2
      # HELP kcd_queue_depth KCDs waiting to be reconciled.
      # TYPE kcd_queue_depth gauge
      kcd_queue_depth 3.5

      """)
    #expect(m.value("kcd_hook_requests_total", ["ci", "202"]) == 2)
    #expect(m.count("kcd_event_to_patch_seconds") == 4)
  }

  @Test("a histogram with labels puts le last in each bucket")
  func labelledHistogram() {
    let m = MetricsRegistry()
    m.histogram("h", help: "h.", labels: ["verb"], buckets: [1])
    m.observe("h", ["get"], 1)
    m.observe("h", ["get"], 1.5)
    #expect(m.render() == """
      # HELP h h.
      # TYPE h histogram
      h_bucket{verb="get",le="1"} 1
      h_bucket{verb="get",le="+Inf"} 2
      h_sum{verb="get"} 2.5
      h_count{verb="get"} 2

      """)
  }

  @Test("label values escape backslash, double quote and newline")
  func escaping() {
    let m = MetricsRegistry()
    m.counter("c", help: "c.", labels: ["v"])
    m.increment("c", ["a\"b\\c\nd"])
    #expect(m.render() == "# HELP c c.\n# TYPE c counter\nc{v=\"a\\\"b\\\\c\\nd\"} 1\n")
  }

  @Test("a family with no series yet renders only its HELP and TYPE; unknown names are ignored")
  func emptyAndUnknown() {
    let m = MetricsRegistry()
    m.counter("kcd_rollouts_total", help: "Rollouts.", labels: ["result"])
    m.counter("kcd_rollouts_total", help: "registered twice: the first registration wins")
    m.increment("nope")
    m.observe("nope", [], 1)
    m.set("nope", [], 1)
    #expect(m.render() == "# HELP kcd_rollouts_total Rollouts.\n# TYPE kcd_rollouts_total counter\n")
    #expect(m.value("nope") == 0)
  }
}

@Suite struct LoggerTests {
  /// A logger whose lines are kept for the test.
  static func capture(_ format: Logger.Format) -> (Logger, @Sendable () -> [String]) {
    let lines = LineBox()
    return (Logger(format: format, component: "test", sink: { line in lines.append(line) }), { lines.all })
  }

  @Test("JSON lines parse, with time, level, component, msg and the fields")
  func json() throws {
    let (log, lines) = Self.capture(.json)
    log.info("event accepted", [("source", "ci"), ("id", "msg_1")])
    log.warn("slow", [])
    log.error("broken", [("error", "x")])
    let parsed = try lines().map { try JSON.parse($0) }
    #expect(parsed.count == 3)
    #expect(parsed.map { $0["level"].stringValue ?? "" } == ["info", "warn", "error"])
    #expect(parsed[0]["msg"] == "event accepted")
    #expect(parsed[0]["component"] == "test")
    #expect(parsed[0]["source"] == "ci")
    #expect(parsed[0]["id"] == "msg_1")
    let time = try #require(parsed[0]["time"].stringValue)
    #expect(Timestamps.isMicroTime(time), "\(time)")
    let age = Timestamps.now() - (Timestamps.parse(time) ?? 0)
    #expect(age >= 0 && age < 5)
    #expect(lines()[0].hasPrefix(#"{"time":""#), "time first, for people reading raw logs")
  }

  @Test("control characters, quotes and backslashes are escaped and survive a parse")
  func jsonEscaping() throws {
    let (log, lines) = Self.capture(.json)
    let nasty = "line1\nline2\r\t\"q\" back\\slash \u{01}\u{1f} é ✓"
    log.warn(nasty, [("error", nasty), ("k\"ey", "v")])
    let line = try #require(lines().first)
    #expect(!line.unicodeScalars.contains { $0.value < 0x20 }, "one physical line: \(line)")
    #expect(line.contains(#"\u0001\u001f"#))
    let j = try JSON.parse(line)
    #expect(j["msg"].stringValue == nasty)
    #expect(j["error"].stringValue == nasty)
    #expect(j["k\"ey"] == "v")
  }

  @Test("text lines: time, upper-case level, message, key=value with quoting when needed")
  func text() throws {
    let (log, lines) = Self.capture(.text)
    log.info("rollout started", [("kcd", "shop/web"), ("message", "rolling out web"), ("empty", "")])
    let line = try #require(lines().first)
    let time = String(line.prefix { $0 != " " })
    #expect(Timestamps.isMicroTime(time))
    #expect(line.dropFirst(time.count) == #" INFO rollout started kcd=shop/web message="rolling out web" empty="#)
  }

  @Test("a text entry stays one line whatever its message and values hold")
  func textOneLine() throws {
    let (log, lines) = Self.capture(.text)
    log.error("cannot patch\nFAKE INFO injected", [("error", "500\nkcd=forged"), ("q", #"say "hi""#)])
    let line = try #require(lines().first)
    #expect(!line.unicodeScalars.contains { $0.value < 0x20 }, "\(line)")
    let time = String(line.prefix { $0 != " " })
    #expect(line.dropFirst(time.count) == #" ERROR cannot patch\nFAKE INFO injected error="500\nkcd=forged" q="say \"hi\"""#)
  }
}

/// Lines a test logger wrote.
final class LineBox: Sendable {
  let lines = Mutex<[String]>([])
  func append(_ line: String) { lines.withLock { $0.append(line) } }
  var all: [String] { lines.withLock { $0 } }
}
