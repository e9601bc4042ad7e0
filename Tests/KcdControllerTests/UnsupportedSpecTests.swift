import KcdJSON
import KcdTestSupport
import Testing

/// Fail closed, end to end: a KCD that asks for what this kcd does not implement yet
/// (checks before a blue-green switch) is refused on its status and in a Warning Event, a push
/// for it is answered "refused", and its workload is never patched.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct UnsupportedSpecTests {
  static func kcd(_ name: String, _ spec: String) -> String {
    #"{"apiVersion":"kcd.dev/v1","kind":"KCD","metadata":{"name":"\#(name)","namespace":"shop"},"spec":{"imageRepo":"registry.example/shop/\#(name)","tag":"main","selector":{"app":"web"},\#(spec)}}"#
  }

  @Test("checks before a blue-green switch (strategy.verify with ServiceBlueGreen) are refused as Unsupported: status, Event, no patch", arguments: [
    ("postverify", #""strategy":{"kind":"ServiceBlueGreen","blueGreen":{"serviceName":"web","labelNames":["app"]},"verify":[{"kind":"Webhook","url":"https://qa.example/gate"}]}"#,
     "spec.strategy.verify"),
  ])
  func refused(_ name: String, _ spec: String, _ field: String) throws {
    let sim = try SpineEndToEndTests.cluster()
    let applied = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: Self.kcd(name, spec))
    #expect(applied.status == 0, "\(applied)")
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(kcd.waitReady())
    #expect(eventually(timeout: 30) {
      let ready = (TenantIsolationTests.status(sim, "shop", name)["conditions"].arrayValue ?? []).first { $0["type"] == "Ready" }
      return ready?["status"] == "False" && ready?["reason"] == "Unsupported" && (ready?["message"].stringValue ?? "").contains(field)
    }, "\(TenantIsolationTests.status(sim, "shop", name))")
    let sent = try kcd.send(repository: "registry.example/shop/\(name)", tag: "main", digest: randomDigest(), version: "1234567")
    #expect(sent.stdout.contains("refused") || sent.stdout.contains("cannot act"), "\(sent)")
    let events = try JSON.parse(try sim.kubectl(Kubectl.machine, ["get", "events", "-n", "shop", "--field-selector", "reason=Unsupported", "-o", "json"]).stdout)
    let about = (events["items"].arrayValue ?? []).filter { $0["involvedObject"]["name"].stringValue == name && $0["type"] == "Warning" }
    #expect(!about.isEmpty, "\(events)")
    Thread_sleep(1)
    let patches = try sim.requestLog().filter { $0["method"] == "PATCH" && ($0["path"].stringValue ?? "").contains("/deployments/") }
    #expect(patches.isEmpty, "nothing is patched: \(patches)")
  }
}
