import KcdJSON
import KcdTestSupport
import Testing

/// `kcd demo` prints a ready-to-paste command; running it rolls `web` out (what `make demo` runs).
@Suite(.timeLimit(.minutes(3)))
struct DemoTests {
  @Test("the printed command rolls web out to the new digest")
  func demo() throws {
    let demo = try Child([TestEnvironment.kcdBinary, "demo", "--hooks-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0"], directory: TestEnvironment.packageRoot)
    defer { demo.kill(); _ = demo.wait(timeout: 10) }
    #expect(demo.waitForOutput(containing: "Press Ctrl-C to stop.", timeout: 60), "\(demo.output) \(demo.errorOutput)")
    let lines = demo.output.split(separator: "\n").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    let dashboard = try #require(lines.first { $0.hasPrefix("http://127.0.0.1:") }, "\(demo.output)")
    #expect(lines.firstIndex { $0.hasPrefix("http://") } ?? 99 < lines.firstIndex { $0.contains(" hooks send ") } ?? 0, "the dashboard's address comes first")
    let commands = lines.filter { $0.contains(" hooks send ") }
    #expect(commands.count == 4, "\(commands)")
    let api = dashboard.hasSuffix("/") ? String(dashboard.dropLast()) : dashboard
    func status(_ name: String) -> JSON {
      guard let r = try? Subprocess.run(["curl", "-s", "\(api)/api/v1/namespaces/demo/kcds/\(name)"]), let j = try? JSON.parse(r.stdout) else { return .null }
      return j["status"]
    }
    func digest(_ command: String) -> String? { command.split(separator: " ").drop { $0 != "--digest" }.dropFirst().first.map(String.init) }
    func send(_ command: String) throws {
      let sent = try Subprocess.run(["/bin/sh", "-c", command], directory: TestEnvironment.packageRoot)
      #expect(sent.status == 0 && sent.stdout.contains("202"), "\(sent)")
    }
    // The good push of web, then the StatefulSet and the blue-green pair.
    for (i, name) in [(0, "web"), (2, "db"), (3, "shop")] {
      try send(commands[i])
      #expect(eventually(timeout: 60) { status(name)["currStatus"] == "Success" && status(name)["currDigest"].stringValue == digest(commands[i]) },
              "\(name): \(status(name)) \(demo.errorOutput.suffix(1500))")
    }
    let page = try Subprocess.run(["curl", "-s", dashboard]).stdout
    #expect(page.contains("<td>shop-green</td>") && page.contains("<td>db</td>") && page.contains("<td>web</td>"), "the dashboard lists every workload")
    // The failing push: rolled back to the good one.
    try send(commands[1])
    #expect(eventually(timeout: 90) { status("web")["currStatus"] == "RolledBack" }, "\(status("web"))")
    #expect(status("web")["failedDigest"].stringValue == digest(commands[1]))
  }
}

extension Substring {
  func trimmingSpaces() -> String {
    var s = self
    while s.first == " " { s = s.dropFirst() }
    while s.last == " " { s = s.dropLast() }
    return String(s)
  }
}
