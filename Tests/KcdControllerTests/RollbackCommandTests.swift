import KcdJSON
import KcdTestSupport
import Testing

/// `kcd rollback` against `kcd run` and KubeSim: back to the previous success, or to a named
/// version from the history; recorded as a rollout triggered by the rollback.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct RollbackCommandTests {
  static func kcdCLI(_ args: [String], kubeconfig: String) throws -> ProcessResult {
    try Subprocess.run([TestEnvironment.kcdBinary] + args + ["--kubeconfig", kubeconfig], timeout: 60)
  }

  @Test("rollback without a version restores the previous success; with one, that version; unknown versions are refused")
  func rollback() throws {
    let sim = try SpineEndToEndTests.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    func status() -> JSON { sim.json(["kcd", "web", "-n", "shop"])["status"] }
    func image() -> String { sim.json(["deploy", "web", "-n", "shop"])["spec"]["template"]["spec"]["containers"][0]["image"].stringValue ?? "" }
    var digests: [String: String] = [:]
    for v in ["1.0.1", "1.0.2"] {
      digests[v] = try kcd.push(repository: "registry.example/shop/web", tag: "main", version: v)
      #expect(eventually(timeout: 60) { status()["currDigest"].stringValue == digests[v] && status()["currStatus"] == "Success" }, "\(status())")
    }
    var r = try Self.kcdCLI(["rollback", "shop/web"], kubeconfig: sim.kubeconfig)
    #expect(r.status == 0 && r.stdout.contains("back to 1.0.1"), "\(r)")
    #expect(eventually(timeout: 60) { status()["currDigest"].stringValue == digests["1.0.1"] && status()["currStatus"] == "Success" }, "\(status())")
    #expect(image() == "registry.example/shop/web:1.0.1@\(digests["1.0.1"]!)")
    #expect((status()["history"][0]["trigger"].stringValue ?? "").hasPrefix("rollback:rollback-"), "\(status()["history"])")

    r = try Self.kcdCLI(["rollback", "shop/web", "--version", "1.0.2"], kubeconfig: sim.kubeconfig)
    #expect(r.status == 0, "\(r)")
    #expect(eventually(timeout: 60) { status()["currDigest"].stringValue == digests["1.0.2"] && status()["currStatus"] == "Success" }, "\(status())")

    r = try Self.kcdCLI(["rollback", "shop/web", "--version", "9.9.9"], kubeconfig: sim.kubeconfig)
    #expect(r.status == 1 && r.stderr.contains("version 9.9.9 is not in the KCD's history"), "\(r)")
    r = try Self.kcdCLI(["rollback", "web"], kubeconfig: sim.kubeconfig)
    #expect(r.status == 2 && r.stderr.contains("NAMESPACE/NAME"), "\(r)")
  }
}
