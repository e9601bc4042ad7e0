import KcdCore

#if canImport(Glibc)
import Glibc
#endif

/// What the kernel says a process costs: CPU time from `/proc/<pid>/stat` (all threads) and
/// memory from `/proc/<pid>/status`.
enum ProcStats {
  /// utime + stime in clock ticks.
  static func cpuTicks(_ pid: pid_t) -> Int? {
    let text = ScaleFiles.text("/proc/\(pid)/stat")
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    guard let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
    return user + system
  }

  static var ticksPerSecond: Double { Double(sysconf(Int32(_SC_CLK_TCK))) }

  struct Memory {
    /// KiB.
    var rss: Int
    var highWater: Int
    var threads: Int
  }

  static func memory(_ pid: pid_t) -> Memory? {
    var m = Memory(rss: -1, highWater: -1, threads: -1)
    for line in ScaleFiles.text("/proc/\(pid)/status").split(separator: "\n") {
      let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" })
      guard parts.count >= 2, let value = Int(parts[1]) else { continue }
      switch parts[0] {
      case "VmRSS": m.rss = value
      case "VmHWM": m.highWater = value
      case "Threads": m.threads = value
      default: break
      }
    }
    return m.rss < 0 ? nil : m
  }

  /// Millicores used over `seconds` of wall time, and the ticks counted.
  static func cpu(_ pid: pid_t, over seconds: Double) -> (millicores: Double, ticks: Int)? {
    guard let before = cpuTicks(pid) else { return nil }
    let start = monotonicSeconds()
    usleep(UInt32(seconds * 1_000_000))
    guard let after = cpuTicks(pid) else { return nil }
    let wall = monotonicSeconds() - start
    return (Double(after - before) / ticksPerSecond / wall * 1000, after - before)
  }

  /// The 1-minute load average, for the report header (the machines are shared).
  static var loadAverage: String { String(ScaleFiles.text("/proc/loadavg").split(separator: " ").first ?? "?") }
}
