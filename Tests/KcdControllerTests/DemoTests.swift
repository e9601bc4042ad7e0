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
    let lines = demo.output.split(separator: "\n").map { $0.trimmingSpaces() }
    let command = try #require(lines.first { $0.contains(" hooks send ") })
    let statusURL = try #require(lines.first { $0.hasPrefix("kcd API:") }?.split(separator: " ").last.map(String.init))
    let digest = try #require(command.split(separator: " ").drop { $0 != "--digest" }.dropFirst().first.map(String.init))
    let sent = try Subprocess.run(["/bin/sh", "-c", command], directory: TestEnvironment.packageRoot)
    #expect(sent.status == 0 && sent.stdout.contains("202"), "\(sent)")
    #expect(eventually(timeout: 60) {
      guard let r = try? Subprocess.run(["curl", "-s", statusURL]), let j = try? JSON.parse(r.stdout) else { return false }
      return j["status"]["currStatus"] == "Success" && j["status"]["currDigest"].stringValue == digest
    }, "\(demo.errorOutput)")
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
