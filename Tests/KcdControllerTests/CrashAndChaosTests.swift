import KcdJSON
import KcdTestSupport
import Testing

/// Nothing is lost: an acknowledged event survives kill -9, and kcd converges through API
/// faults, dropped watches and compacted history without losing or doubling a rollout.
@Suite(.timeLimit(.minutes(6)))
struct CrashAndChaosTests {
  static func patches(_ sim: SimProcess) throws -> Int {
    try sim.requestLog().filter { $0["method"] == "PATCH" && $0["path"] == "/apis/apps/v1/namespaces/shop/deployments/web" && $0["code"] == 200 }.count
  }

  @Test("kill -9 right after a 202, then a restart: the rollout happens exactly once")
  func crashAfterAccept() throws {
    let sim = try SpineEndToEndTests.cluster()
    // Slow the API down so the kill lands between the 202 and the patch.
    try sim.control("PUT", "/_sim/latency", #"{"seconds":0.3}"#)
    let first = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(first.waitReady())
    let digest = randomDigest()
    let sent = try first.send(repository: "registry.example/shop/web", tag: "main", digest: digest, version: "c0ffee1")
    #expect(sent.status == 0 && sent.stdout.contains("202"), "\(sent)")
    first.crash()
    // A request the dead kcd already sent is still applied by the API server (as a real one
    // would): let those land before the restart reads the cluster.
    Thread_sleep(1)
    try sim.control("PUT", "/_sim/latency", #"{"seconds":0}"#)
    let patchedBeforeRestart = try Self.patches(sim)
    let second = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(eventually { SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "Success" }, "\(SpineEndToEndTests.kcdStatus(sim)) \(second.child.errorOutput)")
    #expect(SpineEndToEndTests.image(sim) == "registry.example/shop/web:c0ffee1@\(digest)")
    #expect(try Self.patches(sim) == 1, "patched before the restart: \(patchedBeforeRestart)")
    let history = try sim.kubectl(Kubectl.machine, ["rollout", "history", "deploy/web", "-n", "shop"]).stdout
    #expect(history.split(separator: "\n").filter { $0.first?.isNumber == true }.count == 2, "one new revision: \(history)")
  }

  @Test("through 429/500 at 10 %, dropped watches and compaction, every rollout happens once")
  func chaos() throws {
    let sim = try SpineEndToEndTests.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(kcd.waitReady())
    try sim.control("POST", "/_sim/faults", #"{"code":429,"rate":0.1,"retryAfterSeconds":1}"#)
    try sim.control("POST", "/_sim/faults", #"{"code":500,"rate":0.1,"retryAfterSeconds":1}"#)
    var digests: [String] = []
    for round in 0..<3 {
      let digest = randomDigest()
      digests.append(digest)
      let sent = try kcd.send(repository: "registry.example/shop/web", tag: "main", digest: digest, version: "r\(round)abcd")
      #expect(sent.status == 0, "\(sent)")
      try sim.control("POST", "/_sim/watches/drop")
      try sim.control("POST", "/_sim/compact")
      #expect(eventually(timeout: 90) {
        let s = SpineEndToEndTests.kcdStatus(sim)
        return s["currStatus"] == "Success" && s["currDigest"].stringValue == digest
      }, "\(SpineEndToEndTests.kcdStatus(sim)) \(kcd.child.errorOutput.suffix(2000))")
    }
    try sim.control("DELETE", "/_sim/faults")
    #expect(SpineEndToEndTests.image(sim).hasSuffix(digests.last!))
    let history = try sim.kubectl(Kubectl.machine, ["rollout", "history", "deploy/web", "-n", "shop"]).stdout
    #expect(history.split(separator: "\n").filter { $0.first?.isNumber == true }.count == 4, "three new revisions: \(history)")
    let status = SpineEndToEndTests.kcdStatus(sim)
    #expect((status["history"].arrayValue ?? []).filter { $0["result"] == "Success" }.count == 3, "\(status["history"])")
  }
}
