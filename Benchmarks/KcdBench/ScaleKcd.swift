import KcdCore

#if canImport(Glibc)
import Glibc
#endif

/// `kcd run` exactly as a user starts it: the release binary as a child process given only
/// what a deployment must say (kubeconfig, listen addresses, secret folder, log format). Every
/// tuning default (QPS, burst, workers, polling) is left as shipped; that is what is measured.
final class KcdUnderTest {
  let child: ScaleChild
  let argv: [String]
  let hooksPort: Int
  let apiPort: Int
  /// From `posix_spawn` of `kcd run` to `/readyz` answering 200.
  let readySeconds: Double

  init(directory: String, kubeconfig: String, secret: String, otherSecrets: [String: String] = [:], extraArguments: [String] = []) throws {
    let hooks = directory + "/hooks"
    try FileIO.mkdir(hooks)
    try FileIO.write(secret + "\n", to: hooks + "/ci")
    for (source, value) in otherSecrets { try FileIO.write(value + "\n", to: hooks + "/" + source) }
    try FileIO.write(kubeconfig, to: directory + "/kubeconfig")
    argv = [ScaleBinary.kcd, "run", "--kubeconfig", directory + "/kubeconfig", "--hooks-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0",
            "--hooks-secret-dir", hooks, "--log-format", "json"] + extraArguments
    child = try ScaleChild(argv, outputPrefix: directory + "/kcd")
    guard let line = child.waitForLine(containing: "kcd listening", timeout: 120) else {
      child.stop()
      throw ScaleError("kcd run did not start: \(child.standardOutput) \(String(child.standardError.suffix(2000)))")
    }
    // "kcd listening: hooks on :H, API on :A"
    let ports = line.split(separator: ":").compactMap { Int($0.prefix { $0.isNumber }) }
    guard ports.count >= 2 else { child.stop(); throw ScaleError("cannot read the ports from \"\(line)\"") }
    hooksPort = ports[0]
    apiPort = ports[1]
    let deadline = monotonicSeconds() + 300
    var ready: Double? = nil
    while monotonicSeconds() < deadline {
      if LoopbackConnection.get(port: apiPort, path: "/readyz")?.status == 200 { ready = monotonicSeconds(); break }
      if child.hasExited { break }
      usleep(1_000)
    }
    guard let ready else { child.stop(); throw ScaleError("kcd never answered 200 on /readyz: \(String(child.standardError.suffix(2000)))") }
    readySeconds = ready - child.spawnedAt
  }

  var pid: pid_t { child.pid }

  /// The command line with the temporary paths shortened, for the report header.
  static let commandLine = "kcd run --kubeconfig K --hooks-addr 127.0.0.1:0 --api-addr 127.0.0.1:0 --hooks-secret-dir D --log-format json"

  /// `/metrics` from the API port.
  func metrics() -> ScaleMetrics {
    ScaleMetrics(text: LoopbackConnection.get(port: apiPort, path: "/metrics").map { String(decoding: $0.body, as: UTF8.self) } ?? "")
  }

  @discardableResult
  func stop() -> Int32 { child.stop(grace: 15) }

  /// What kcd logged, by level, and the most frequent warning and error messages.
  func logSummary() -> String {
    var levels: [String: Int] = [:]
    var messages: [String: Int] = [:]
    var rollouts: [String: Int] = [:]
    for line in (child.standardError + "\n" + child.standardOutput).split(separator: "\n") {
      guard let level = ScaleKcdLog.field("level", in: line) else { continue }
      levels[level, default: 0] += 1
      if let msg = ScaleKcdLog.field("msg", in: line), msg.hasPrefix("rollout ") {
        let reason = msg == "rollout failed" ? " (" + (ScaleKcdLog.field("reason", in: line) ?? ScaleKcdLog.field("result", in: line) ?? "?") + ")" : ""
        rollouts[String(msg.dropFirst(8)) + reason, default: 0] += 1
      }
      if level == "warn" || level == "error" {
        let msg = ScaleKcdLog.field("msg", in: line) ?? "?"
        let error = ScaleKcdLog.field("error", in: line).map { ": " + String($0.prefix(90)) } ?? ""
        messages["\(level) \(msg)\(error)", default: 0] += 1
      }
    }
    var text = "kcd log: " + (levels.isEmpty ? "empty" : levels.keys.sorted().map { "\(ScaleReport.grouped(levels[$0]!)) \($0)" }.joined(separator: ", "))
    if !rollouts.isEmpty { text += "; rollouts " + rollouts.keys.sorted().map { "\($0) ×\(ScaleReport.grouped(rollouts[$0]!))" }.joined(separator: ", ") }
    let top = messages.sorted { $0.value > $1.value }.prefix(4)
    if !top.isEmpty { text += "; most frequent: " + top.map { "\"\($0.key)\" ×\(ScaleReport.grouped($0.value))" }.joined(separator: "; ") }
    return text
  }
}

/// Reading fields out of kcd's JSON log lines without parsing every line as JSON.
enum ScaleKcdLog {
  static func field(_ name: String, in line: Substring) -> String? {
    guard let start = line.firstRange(of: "\"\(name)\":\"") else { return nil }
    var out = ""
    var escaped = false
    for c in line[start.upperBound...] {
      if escaped { out.append(c); escaped = false; continue }
      if c == "\\" { escaped = true; continue }
      if c == "\"" { return out }
      out.append(c)
    }
    return out
  }
}
