import KcdJSON
import KcdTestSupport
import Testing

/// Approvals end to end: `kcd run` holds a pushed candidate until `kcd approve` approves its
/// exact digest; an approval of another digest (from the CLI or written by hand) is refused;
/// the approver's identity, as the API server authenticates it, is in the history.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct ApprovalEndToEndTests {
  @Test("no patch before approval; another digest refused; kcd approve proceeds and is recorded with its identity")
  func approvals() throws {
    let sim = try SpineEndToEndTests.cluster()
    var r = try sim.kubectl(Kubectl.machine, ["patch", "kcd", "web", "-n", "shop", "--type", "merge", "-p", #"{"spec":{"approval":{"required":true}}}"#])
    #expect(r.status == 0, "\(r)")
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    func status() -> JSON { sim.json(["kcd", "web", "-n", "shop"])["status"] }
    func patches() throws -> Int { try sim.requestLog().filter { $0["method"] == "PATCH" && ($0["path"].stringValue ?? "").hasSuffix("/deployments/web") }.count }
    func events(_ reason: String) -> [String] {
      (sim.json(["events", "-n", "shop", "--field-selector", "reason=\(reason)"])["items"].arrayValue ?? []).compactMap { $0["message"].stringValue }
    }
    let digest = try kcd.push(repository: "registry.example/shop/web", tag: "main", version: "2.0.0")
    #expect(eventually(timeout: 30) { status()["currStatus"] == "AwaitingApproval" }, "\(status()) \(kcd.child.errorOutput.suffix(2000))")
    #expect(events("AwaitingApproval").first?.contains("kcd approve shop/web --digest \(digest)") == true, "\(events("AwaitingApproval"))")
    #expect(try patches() == 0)

    let other = randomDigest()
    r = try RollbackCommandTests.kcdCLI(["approve", "shop/web", "--digest", other], kubeconfig: sim.kubeconfig)
    #expect(r.status == 1 && r.stderr.contains("waits with \(digest)"), "\(r)")
    // Written by hand for another digest: refused by kcd itself.
    let forged = #"{"id":"approval-hand","digest":"\#(other)","by":"mallory","at":"2099-01-01T00:00:00.000000Z"}"#
    r = try sim.kubectl(Kubectl.machine, ["annotate", "kcd", "web", "-n", "shop", "kcd.dev/approval=\(forged)"])
    #expect(r.status == 0, "\(r)")
    #expect(eventually(timeout: 30) { !events("ApprovalRefused").isEmpty }, "\(status())")
    #expect(try patches() == 0 && status()["currStatus"] == "AwaitingApproval")

    r = try RollbackCommandTests.kcdCLI(["approve", "shop/web", "--digest", digest], kubeconfig: sim.kubeconfig)
    #expect(r.status == 0 && r.stdout.contains("by kubesim-admin"), "\(r)")
    #expect(eventually(timeout: 60) { status()["currDigest"].stringValue == digest && status()["currStatus"] == "Success" }, "\(status())")
    #expect(status()["history"][0]["approvedBy"] == "kubesim-admin", "\(status()["history"])")
    #expect(try patches() >= 1)
  }
}
