import KcdJSON
import KcdTestSupport
import Testing

/// `history`, `config` and `suspend` end to end with `kcd run` against KubeSim: the history
/// ConfigMap stays bounded at its limit, the config ConfigMap gets the deployed version, a
/// suspended KCD holds a push (nothing patched) and rolls it out when resumed.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct HistoryConfigEndToEndTests {
  @Test("history bounded at its limit, config updated, suspend holds and resume proceeds")
  func historyConfigSuspend() throws {
    let sim = try SpineEndToEndTests.cluster()
    var r = try sim.kubectl(Kubectl.machine, ["patch", "kcd", "web", "-n", "shop", "--type", "merge", "-p",
                                              #"{"spec":{"history":{"enabled":true,"limit":2},"config":{"name":"web-version","key":"version"}}}"#])
    #expect(r.status == 0, "\(r)")
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    func status() -> JSON { sim.json(["kcd", "web", "-n", "shop"])["status"] }
    func history() -> [String] {
      let text = sim.json(["configmap", "web.history", "-n", "shop"])["data"]["history"].stringValue ?? "[]"
      return ((try? JSON.parse(Array(text.utf8)))?.arrayValue ?? []).compactMap { $0["version"].stringValue }
    }
    func version() -> String? { sim.json(["configmap", "web-version", "-n", "shop"])["data"]["version"].stringValue }
    for v in ["1.0.1", "1.0.2", "1.0.3"] {
      let digest = try kcd.push(repository: "registry.example/shop/web", tag: "main", version: v)
      #expect(eventually(timeout: 60) { status()["currDigest"].stringValue == digest && status()["currStatus"] == "Success" },
              "\(status()) \(kcd.child.errorOutput.suffix(2000))")
      #expect(eventually(timeout: 20) { version() == v }, "\(String(describing: version()))")
    }
    #expect(eventually(timeout: 20) { history() == ["1.0.3", "1.0.2"] }, "\(history())")

    // Suspended: a push is held, nothing patched, the KCD says Suspended.
    r = try sim.kubectl(Kubectl.machine, ["patch", "kcd", "web", "-n", "shop", "--type", "merge", "-p", #"{"spec":{"suspend":true}}"#])
    #expect(r.status == 0, "\(r)")
    #expect(eventually(timeout: 20) { status()["currStatus"] == "Suspended" }, "\(status())")
    let patchesBefore = try sim.requestLog().filter { $0["method"] == "PATCH" && ($0["path"].stringValue ?? "").hasSuffix("/deployments/web") }.count
    let held = try kcd.push(repository: "registry.example/shop/web", tag: "main", version: "1.0.4")
    _ = eventually(timeout: 3) { false }
    #expect(status()["currStatus"] == "Suspended" && status()["currDigest"].stringValue != held)
    #expect(try sim.requestLog().filter { $0["method"] == "PATCH" && ($0["path"].stringValue ?? "").hasSuffix("/deployments/web") }.count == patchesBefore)
    r = try sim.kubectl(Kubectl.machine, ["patch", "kcd", "web", "-n", "shop", "--type", "merge", "-p", #"{"spec":{"suspend":false}}"#])
    #expect(r.status == 0, "\(r)")
    #expect(eventually(timeout: 60) { status()["currDigest"].stringValue == held && status()["currStatus"] == "Success" }, "\(status())")
    #expect(eventually(timeout: 20) { version() == "1.0.4" && history() == ["1.0.4", "1.0.3"] }, "\(history()) \(String(describing: version()))")
  }
}
