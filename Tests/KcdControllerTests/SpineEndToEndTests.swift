import KcdJSON
import KcdTestSupport
import Testing

/// The spine, as separate processes: `kcd sim`, `kcd run`, real kubectl and `kcd hooks send`.
@Suite(.timeLimit(.minutes(5)))
struct SpineEndToEndTests {
  static func fixture(_ name: String) -> String {
    TestEnvironment.read(TestEnvironment.packageRoot + "/Tests/KcdControllerTests/Fixtures/" + name) ?? ""
  }

  static var crd: String { TestEnvironment.read(TestEnvironment.packageRoot + "/charts/kcd/crds/kcd.yaml") ?? "" }

  /// KubeSim with the CRD, namespace shop, Deployment web and KCD web applied by kubectl.
  static func cluster() throws -> SimProcess {
    let sim = try SimProcess()
    var r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: crd)
    #expect(r.status == 0, "\(r)")
    r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: fixture("shop.yaml"))
    #expect(r.status == 0, "\(r)")
    return sim
  }

  static func kcdStatus(_ sim: SimProcess) -> JSON {
    guard let r = try? sim.kubectl(Kubectl.machine, ["get", "kcd", "web", "-n", "shop", "-o", "json"]) else { return .null }
    return (try? JSON.parse(r.stdout))?["status"] ?? .null
  }

  static func image(_ sim: SimProcess) -> String {
    (try? sim.kubectl(Kubectl.machine, ["get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]).stdout) ?? ""
  }

  @Test("a signed callback rolls the Deployment out pinned by digest")
  func rollsOut() throws {
    let sim = try Self.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    let digest = randomDigest()
    let sent = try kcd.send(repository: "registry.example/shop/web", tag: "main", digest: digest, version: "3ae8d1b")
    #expect(sent.status == 0, "\(sent)")
    #expect(sent.stdout.contains("/api/v1/namespaces/shop/kcds/web"), "\(sent)")
    #expect(eventually { Self.kcdStatus(sim)["currStatus"] == "Success" }, "\(Self.kcdStatus(sim)) \(kcd.child.errorOutput)")
    #expect(Self.image(sim) == "registry.example/shop/web:3ae8d1b@\(digest)")
    let proxy = try sim.kubectl(Kubectl.machine, ["get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.template.spec.containers[1].image}"]).stdout
    #expect(proxy == "registry.example/shop/proxy:2.0", "other containers are untouched")
    let status = Self.kcdStatus(sim)
    #expect(status["currDigest"].stringValue == digest)
    #expect(status["currVersion"] == "3ae8d1b")
    #expect(status["successDigest"].stringValue == digest)
    #expect(status["lastEvent"]["source"] == "ci")
    #expect((status["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" })
    #expect(status["history"][0]["result"] == "Success")
    let events = try sim.kubectl(Kubectl.machine, ["get", "events", "-n", "shop", "-o", "json"])
    let reasons = (try JSON.parse(events.stdout)["items"].arrayValue ?? []).compactMap { $0["reason"].stringValue }
    for reason in ["RolloutStarted", "ImagePatched", "RolloutSucceeded"] { #expect(reasons.contains(reason), "\(reasons)") }
    let metrics = try Subprocess.run(["curl", "-s", "http://127.0.0.1:\(kcd.apiPort)/metrics"]).stdout
    #expect(metrics.contains("kcd_rollouts_total{result=\"success\"} 1"), "\(metrics)")
    #expect(metrics.contains("kcd_hook_requests_total{source=\"ci\",code=\"202\"} 1"), "\(metrics)")
    #expect(metrics.contains("kcd_event_to_patch_seconds_count 1"), "\(metrics)")
    #expect(metrics.contains("kcd_kube_requests_total{verb=\"patch\""), "\(metrics)")
    // The critical path is three writes: the event recorded on the KCD, the status that starts
    // the rollout, the workload patch (docs/engine.md); Events and tracking writes come after.
    // Accepted writes: a 409 (intake's cached copy was a moment old) is retried on a fresh read.
    let writes = try sim.requestLog().filter { $0["method"] != "GET" && $0["userAgent"].stringValue?.hasPrefix("kcd/") == true }
      .filter { (200..<300).contains($0["code"].intValue ?? 0) }
      .filter { !($0["path"].stringValue ?? "").contains("/events") }
      .map { "\($0["method"].stringValue ?? "") \($0["path"].stringValue ?? "")" }
      .drop { $0 != "PATCH /apis/kcd.dev/v1/namespaces/shop/kcds/web" }
    #expect(Array(writes.prefix(3)) == ["PATCH /apis/kcd.dev/v1/namespaces/shop/kcds/web", "PATCH /apis/kcd.dev/v1/namespaces/shop/kcds/web/status",
                                       "PATCH /apis/apps/v1/namespaces/shop/deployments/web"], "\(writes)")
  }

  @Test("a failing digest is rolled back, never redeployed, and a new digest rolls out")
  func failedDigest() throws {
    let sim = try Self.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    let bad = randomDigest()
    var sent = try kcd.send(repository: "registry.example/shop/web", tag: "main", digest: bad, version: "fail-progress")
    #expect(sent.status == 0, "\(sent)")
    #expect(eventually { Self.kcdStatus(sim)["currStatus"] == "RolledBack" }, "\(Self.kcdStatus(sim))")
    var status = Self.kcdStatus(sim)
    #expect(status["failedDigest"].stringValue == bad)
    #expect(status["history"][0]["result"] == "RolledBack")
    #expect(Self.image(sim) == "registry.example/shop/web:1.0", "the image the Deployment ran before")
    let proxy = try sim.kubectl(Kubectl.machine, ["get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.template.spec.containers[1].image}"]).stdout
    #expect(proxy == "registry.example/shop/proxy:2.0")
    let events = try JSON.parse(try sim.kubectl(Kubectl.machine, ["get", "events", "-n", "shop", "--field-selector", "reason=RolledBack", "-o", "json"]).stdout)
    let kinds = Set((events["items"].arrayValue ?? []).compactMap { $0["involvedObject"]["kind"].stringValue })
    #expect(kinds == ["KCD", "Deployment"], "\(events)")

    sent = try kcd.send(repository: "registry.example/shop/web", tag: "main", digest: bad, version: "fail-progress")
    #expect(sent.status == 0 && sent.stdout.contains("not redeployed"), "\(sent)")
    Thread_sleep(1)
    let patches = try sim.requestLog().filter { $0["method"] == "PATCH" && $0["path"] == "/apis/apps/v1/namespaces/shop/deployments/web" }
    #expect(patches.count == 2, "the rollout and its rollback: \(patches)")

    let good = randomDigest()
    sent = try kcd.send(repository: "registry.example/shop/web", tag: "main", digest: good, version: "5bd9e01")
    #expect(sent.status == 0, "\(sent)")
    #expect(eventually { Self.kcdStatus(sim)["currStatus"] == "Success" }, "\(Self.kcdStatus(sim))")
    status = Self.kcdStatus(sim)
    #expect(status["successDigest"].stringValue == good)
    #expect(status["failedDigest"].stringValue == bad)
    #expect(Self.image(sim) == "registry.example/shop/web:5bd9e01@\(good)")
  }
}

func Thread_sleep(_ seconds: Double) {
  _ = eventually(timeout: seconds) { false }
}
