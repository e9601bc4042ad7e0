import KcdJSON
import KcdTestSupport
import Testing

/// `kcd get`, `kcd history` and `kcd wait` as a person or a CI job runs them.
@Suite(.timeLimit(.minutes(3)))
struct KCDCommandsTests {
  func kcd(_ sim: SimProcess, _ args: [String], timeout: Double = 60) throws -> ProcessResult {
    try Subprocess.run([TestEnvironment.kcdBinary] + args + ["--kubeconfig", sim.kubeconfig], timeout: timeout)
  }

  @Test("wait blocks until the version is out; get and history show it; a failed version exits 1")
  func waitGetHistory() throws {
    let sim = try SpineEndToEndTests.cluster()
    let run = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    var r = try kcd(sim, ["wait", "shop/web", "--version", "3ae8d1b", "--timeout", "2s"])
    #expect(r.status == 1 && r.stderr.contains("timed out"), "\(r)")

    let digest = randomDigest()
    #expect(try run.send(repository: "registry.example/shop/web", tag: "main", digest: digest, version: "3ae8d1b").status == 0)
    r = try kcd(sim, ["wait", "shop/web", "--version", "3ae8d1b", "--timeout", "60s"])
    #expect(r.status == 0 && r.stdout.contains("shop/web: 3ae8d1b rolled out"), "\(r)")

    r = try kcd(sim, ["get", "--namespace", "shop"])
    #expect(r.status == 0, "\(r)")
    let row = r.stdout.split(separator: "\n").first { $0.hasPrefix("shop") }.map { $0.split(separator: " ").map(String.init) }
    #expect(row?.prefix(6) == ["shop", "web", "registry.example/shop/web", "main", "3ae8d1b", "Success"], "\(r.stdout)")

    r = try kcd(sim, ["history", "shop/web"])
    #expect(r.status == 0 && r.stdout.contains("3ae8d1b") && r.stdout.contains("Success") && r.stdout.contains(String(digest.prefix(19))), "\(r)")

    #expect(try run.send(repository: "registry.example/shop/web", tag: "main", digest: randomDigest(), version: "fail-progress").status == 0)
    r = try kcd(sim, ["wait", "shop/web", "--version", "fail-progress", "--timeout", "90s"], timeout: 120)
    #expect(r.status == 1 && r.stderr.contains("fail-progress was rolled back"), "\(r)")

    r = try kcd(sim, ["wait", "shop/nope", "--version", "x"])
    #expect(r.status == 1 && r.stderr.contains("not found"), "\(r)")
    r = try kcd(sim, ["wait", "shop/web"])
    #expect(r.status == 2, "--version is required: \(r)")
    r = try kcd(sim, ["wait", "web", "--version", "x"])
    #expect(r.status == 2, "\(r)")
  }
}
