import KcdJSON
import KcdTestSupport
import Testing

/// A workload kind the cluster does not serve, or kcd may not list, is reported and never
/// waited for: readiness, hooks and rollouts of every other kind go on.
@Suite(.timeLimit(.minutes(3)))
struct UnavailableKindTests {
  static func get(_ kcd: KcdProcess, _ path: String) -> (code: String, body: String) {
    let r = try? Subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(kcd.apiPort)\(path)"])
    let out = r?.stdout ?? ""
    let code = out.split(separator: "\n").last.map(String.init) ?? ""
    return (code, String(out.dropLast(code.count)))
  }

  @Test("CronJobs not served (404), or listing them forbidden (403): /readyz 200 naming the gap, a metric, and a Deployment KCD still rolls out",
        arguments: [["--fault", "verb=list,resource=cronjobs,code=404"], ["--fault", "verb=list,resource=cronjobs,code=403"]])
  func degrade(simArguments: [String]) throws {
    let sim = try SimProcess(extraArguments: simArguments)
    var r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: SpineEndToEndTests.crd)
    #expect(r.status == 0, "\(r)")
    r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: SpineEndToEndTests.fixture("shop.yaml"))
    #expect(r.status == 0, "\(r)")
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(kcd.waitReady(timeout: 20), "\(Self.get(kcd, "/readyz").body)")
    let ready = Self.get(kcd, "/readyz")
    #expect(ready.code == "200" && ready.body.contains("cronjobs") && ready.body.contains("unavailable"), "\(ready)")
    let metrics = Self.get(kcd, "/metrics").body
    #expect(metrics.contains(#"kcd_informer_unavailable{resource="cronjobs"} 1"#), "\(metrics.split(separator: "\n").filter { $0.contains("unavailable") })")
    #expect(kcd.child.errorOutput.contains("resource not served or not permitted") || kcd.child.output.contains("resource not served or not permitted"))

    let digest = randomDigest()
    let sent = try kcd.send(repository: "registry.example/shop/web", tag: "main", digest: digest, version: "3ae8d1b")
    #expect(sent.status == 0 && sent.stdout.contains("202"), "\(sent)")
    #expect(eventually { SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "Success" }, "\(SpineEndToEndTests.kcdStatus(sim))")
    #expect(SpineEndToEndTests.image(sim).hasSuffix("@\(digest)"))
  }
}
