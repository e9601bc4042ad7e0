import KcdCore
import KcdJSON
import KcdTestSupport
import Testing

/// `rollback.enabled` (SPEC §4): a failed rollout puts back the images it replaced, to the last
/// good pinned digest; with rollback off the failure stays in place; and a rollback interrupted
/// by a restart is finished by the next kcd.
@Suite(.timeLimit(.minutes(5)))
struct RollbackTests {
  static func deployments(_ sim: SimProcess) throws -> [JSON] {
    try sim.requestLog().filter { $0["method"] == "PATCH" && $0["path"] == "/apis/apps/v1/namespaces/shop/deployments/web" && $0["code"] == 200 }
  }

  @Test("after a success, a failing digest goes back to the last good pinned digest")
  func backToLastGood() throws {
    let sim = try SpineEndToEndTests.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    let good = randomDigest(), bad = randomDigest()
    var sent = try kcd.send(repository: "registry.example/shop/web", tag: "main", digest: good, version: "1f2e3d4")
    #expect(sent.status == 0, "\(sent)")
    #expect(eventually { SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "Success" }, "\(SpineEndToEndTests.kcdStatus(sim))")
    sent = try kcd.send(repository: "registry.example/shop/web", tag: "main", digest: bad, version: "crashloop")
    #expect(sent.status == 0, "\(sent)")
    #expect(eventually { SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "RolledBack" }, "\(SpineEndToEndTests.kcdStatus(sim))")
    let status = SpineEndToEndTests.kcdStatus(sim)
    #expect(SpineEndToEndTests.image(sim) == "registry.example/shop/web:1f2e3d4@\(good)")
    #expect(status["currDigest"].stringValue == good && status["currVersion"] == "1f2e3d4", "status names what runs: \(status)")
    #expect(status["failedDigest"].stringValue == bad && status["successDigest"].stringValue == good)
    let ready = (status["conditions"].arrayValue ?? []).first { $0["type"] == "Ready" }
    #expect(ready?["reason"] == "RolledBack" && ready?["status"] == "False", "\(status)")
    #expect(status["rollout"]["rollback"]["reason"].stringValue != nil, "the rollback is recorded with its cause: \(status)")
    let cause = try sim.kubectl(Kubectl.machine, ["get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.metadata.annotations.kubernetes\\.io/change-cause}"]).stdout
    #expect(cause.hasPrefix("kcd: shop/web rolled back registry.example/shop/web:crashloop@\(bad)"), "\(cause)")
    // The Deployment settles on the restored image.
    #expect(eventually {
      guard let r = try? sim.kubectl(Kubectl.machine, ["rollout", "status", "deploy/web", "-n", "shop", "--timeout", "1s"]) else { return false }
      return r.status == 0
    })
  }

  @Test("with rollback.enabled false the failure stays in place and is reported Failed")
  func disabled() throws {
    let sim = try SpineEndToEndTests.cluster()
    let r = try sim.kubectl(Kubectl.machine, ["patch", "kcd", "web", "-n", "shop", "--type", "merge", "-p", #"{"spec":{"rollback":{"enabled":false}}}"#])
    #expect(r.status == 0, "\(r)")
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    let bad = randomDigest()
    let sent = try kcd.send(repository: "registry.example/shop/web", tag: "main", digest: bad, version: "fail-progress")
    #expect(sent.status == 0, "\(sent)")
    #expect(eventually { SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "Failed" }, "\(SpineEndToEndTests.kcdStatus(sim))")
    #expect(SpineEndToEndTests.image(sim) == "registry.example/shop/web:fail-progress@\(bad)")
    #expect(try Self.deployments(sim).count == 1)
    #expect(SpineEndToEndTests.kcdStatus(sim)["rollout"]["rollback"].isNull)
  }

  @Test("a rollback recorded by a kcd that died before patching is finished by the next one")
  func resumed() throws {
    let sim = try SpineEndToEndTests.cluster()
    let bad = randomDigest()
    let image = "registry.example/shop/web:fail-progress@\(bad)"
    var r = try sim.kubectl(Kubectl.machine, ["set", "image", "deploy/web", "-n", "shop", "web=" + image])
    #expect(r.status == 0, "\(r)")
    let startedAt = "2026-01-01T00:00:00.000000Z"
    let status: JSON = ["status": [
      "currStatus": "Progressing", "currVersion": "fail-progress", "currDigest": .string(bad),
      "rollout": ["id": "e1", "trigger": "ci:e1", "image": .string(image), "digest": .string(bad), "version": "fail-progress",
                  "startedAt": .string(startedAt), "receivedAt": .string(startedAt),
                  "rollback": ["reason": "ProgressDeadlineExceeded", "message": "deployment exceeded its progress deadline", "startedAt": .string(Timestamps.microTime(Timestamps.now()))],
                  "workloads": [["kind": "Deployment", "name": "web", "containers": ["web"], "generation": 2, "previous": ["web": "registry.example/shop/web:1.0"]]]],
    ]]
    r = try sim.kubectl(Kubectl.machine, ["patch", "kcd", "web", "-n", "shop", "--subresource", "status", "--type", "merge", "-p", status.text])
    #expect(r.status == 0, "\(r)")
    let before = try Self.deployments(sim).count
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(eventually { SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "RolledBack" }, "\(SpineEndToEndTests.kcdStatus(sim)) \(kcd.child.errorOutput.suffix(2000))")
    #expect(SpineEndToEndTests.image(sim) == "registry.example/shop/web:1.0")
    #expect(SpineEndToEndTests.kcdStatus(sim)["failedDigest"].stringValue == bad)
    #expect(try Self.deployments(sim).count == before + 1, "one patch: the rollback")
  }
}
