import KcdCore
import KcdHTTP
import KcdJSON
import KcdTestSupport
import Synchronization
import Testing

/// Canary end to end with `kcd run` and KubeSim: the canary Deployment first, its Webhook check
/// (a local server), then the others. A failing check rolls the canary back and leaves the
/// others on the old image; a passing one promotes all.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct CanaryEndToEndTests {
  static func manifests(gate: String) -> String {
    var out = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
    for (name, track) in [("web-canary", "canary"), ("web", "stable"), ("web-eu", "stable")] {
      out += """
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: \(name), namespace: shop, labels: {app: web, track: \(track)}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name)}}
            spec: {containers: [{name: web, image: "registry.example/shop/web:old"}]}

        """
    }
    out += """
      ---
      apiVersion: kcd.dev/v1
      kind: KCD
      metadata: {name: web, namespace: shop}
      spec:
        imageRepo: registry.example/shop/web
        tag: main
        selector: {app: web}
        pollIntervalSeconds: 0
        strategy: {kind: Canary, canary: {selector: {track: canary}, verify: [{kind: Webhook, url: "\(gate)"}]}}

      """
    return out
  }

  @Test("a failing canary check rolls the canary back, the others stay on the old image; a passing one promotes all")
  func canary() throws {
    let answer = Atomic<Int>(500)
    let server = try HTTPServer(configuration: HTTPServerConfiguration(address: "127.0.0.1:0"), handler: HTTPClosureHandler { _ in
      HTTPResponse(status: answer.load(ordering: .relaxed), body: Array("canary error rate too high".utf8))
    })
    defer { server.shutdown(grace: 1) }
    let sim = try SimProcess()
    try sim.apply([SpineEndToEndTests.crd, Self.manifests(gate: "http://127.0.0.1:\(server.port)/gate")])
    let keyFile = sim.directory + "/verification.key"
    TestEnvironment.write(VerificationEndToEndTests.verificationKey + "\n", to: keyFile)
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, extraArguments: ["--verification-key-file", keyFile])
    func status() -> JSON { sim.json(["kcd", "web", "-n", "shop"])["status"] }
    func image(_ name: String) -> String { sim.json(["deploy", name, "-n", "shop"])["spec"]["template"]["spec"]["containers"][0]["image"].stringValue ?? "" }
    func patched(_ name: String) throws -> Int {
      try sim.requestLog().filter { $0["method"] == "PATCH" && ($0["path"].stringValue ?? "").hasSuffix("/deployments/\(name)") && $0["code"] == 200 }.count
    }

    let bad = try kcd.push(repository: "registry.example/shop/web", tag: "main", version: "2.0.0")
    #expect(eventually(timeout: 60) { status()["currStatus"] == "RolledBack" }, "\(status()) \(kcd.child.errorOutput.suffix(2000))")
    #expect(image("web-canary") == "registry.example/shop/web:old", "the canary is back")
    #expect(try patched("web-canary") == 2, "patched, then put back")
    #expect(try patched("web") == 0 && patched("web-eu") == 0, "the others never touched")
    #expect((status()["message"].stringValue ?? "").contains("canary error rate too high"), "\(status())")
    #expect(status()["failedDigest"].stringValue == bad)

    answer.store(204, ordering: .relaxed)
    let good = try kcd.push(repository: "registry.example/shop/web", tag: "main", version: "2.0.1")
    #expect(eventually(timeout: 60) { status()["currDigest"].stringValue == good && status()["currStatus"] == "Success" }, "\(status())")
    for name in ["web-canary", "web", "web-eu"] { #expect(image(name) == "registry.example/shop/web:2.0.1@\(good)", "\(name)") }
  }
}
