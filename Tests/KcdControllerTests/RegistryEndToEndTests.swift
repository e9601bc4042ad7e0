import KcdCore
import KcdJSON
import KcdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Debian's real docker-registry (CNCF Distribution) with htpasswd auth sends its push
/// notifications to kcd's `/hooks/distribution`; skopeo pushes. kcd confirms the digest with the
/// registry, rolls out, and its fallback poller catches pushes when the hook is off.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct RegistryEndToEndTests {
  static let hookToken = "distribution-hook-token-\(Int.random(in: 0..<1_000_000))"

  struct Setup {
    let sim: SimProcess
    let registry: DistributionRegistry
    let kcd: KcdProcess
    let layout: String
    var repository: String { "\(registry.host)/team/app" }
  }

  /// KubeSim with `count` Deployments `app-N` (one replica each) and a KCD per Deployment
  /// following `<registry>/team/app:prod`.
  static func setUp(count: Int, pollInterval: Int, configuredCredentials: Bool = true, pullSecret: Bool = false) throws -> Setup {
    let hooksPort = try Tools.freePort()
    let registry = try DistributionRegistry(notifications: [(url: "http://127.0.0.1:\(hooksPort)/hooks/distribution", authorization: "Bearer \(hookToken)")])
    let sim = try SimProcess()
    var r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: SpineEndToEndTests.crd)
    #expect(r.status == 0, "\(r)")
    let manifests = WorkloadManifests.deploymentsWithKCDs(
      namespace: "shop", count: count, tag: "prod", repository: { _ in "\(registry.host)/team/app" }, kcdSpec: "pollIntervalSeconds: \(pollInterval)",
      podSpec: pullSecret ? "imagePullSecrets: [{name: registry-pull}], " : "")
    r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: manifests)
    #expect(r.status == 0, "\(r)")
    if pullSecret {
      let auth = Base64.encode(Array("\(DistributionRegistry.username):\(DistributionRegistry.password)".utf8))
      let config = #"{"auths":{"\#(registry.host)":{"auth":"\#(auth)"}}}"#
      r = try sim.kubectl(Kubectl.machine, ["-n", "shop", "create", "secret", "generic", "registry-pull", "--type", "kubernetes.io/dockerconfigjson",
                                            "--from-literal=.dockerconfigjson=\(config)"])
      #expect(r.status == 0, "\(r)")
    }
    let passwordFile = sim.directory + "/registry-password"
    TestEnvironment.write(DistributionRegistry.password, to: passwordFile)
    let config = sim.directory + "/kcd.yaml"
    TestEnvironment.write(configuredCredentials
      ? "registries:\n  - {host: \"\(registry.host)\", username: \(DistributionRegistry.username), passwordFile: \(passwordFile)}\n"
      : "registries: []\n", to: config)
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, extraArguments: ["--config", config, "--min-poll-seconds", "1"], hooksPort: hooksPort)
    #expect(kcd.waitReady())
    TestEnvironment.write(hookToken + "\n", to: sim.directory + "/hooks/distribution")
    let layout = sim.directory + "/layout"
    try OCILayout.write(layout, images: [("one", TestImage(content: "one")), ("two", TestImage(content: "two"))])
    return Setup(sim: sim, registry: registry, kcd: kcd, layout: layout)
  }

  static func kcdStatus(_ s: Setup, _ name: String) -> JSON {
    guard let r = try? s.sim.kubectl(Kubectl.machine, ["get", "kcd", name, "-n", "shop", "-o", "json"]) else { return .null }
    return (try? JSON.parse(r.stdout))?["status"] ?? .null
  }

  /// Every KCD's status in one call, by name.
  static func statuses(_ s: Setup) -> [String: JSON] {
    guard let r = try? s.sim.kubectl(Kubectl.machine, ["get", "kcd", "-n", "shop", "-o", "json"]), let j = try? JSON.parse(r.stdout) else { return [:] }
    var out: [String: JSON] = [:]
    for item in j["items"].arrayValue ?? [] { if let n = item["metadata"]["name"].stringValue { out[n] = item["status"] } }
    return out
  }

  static func image(_ s: Setup, _ name: String) -> String {
    (try? s.sim.kubectl(Kubectl.machine, ["get", "deploy", name, "-n", "shop", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]).stdout) ?? ""
  }

  static func patches(_ s: Setup) throws -> Int {
    try s.sim.requestLog().filter { $0["method"] == "PATCH" && ($0["path"].stringValue ?? "").hasSuffix("/deployments/app-0") && $0["code"] == 200 }.count
  }

  @Test("a push notified by the registry rolls out, confirmed with the registry; the same push again rolls nothing")
  func notifiedPush() throws {
    let s = try Self.setUp(count: 1, pollInterval: 0)
    let image = TestImage(content: "one")
    // CI pushes the version tag, then moves prod to the same image.
    try s.registry.push(layout: s.layout, name: "one", tag: "3ae8d1b")
    try s.registry.push(layout: s.layout, name: "one", tag: "prod")
    #expect(eventually(timeout: 60) { Self.kcdStatus(s, "app-0")["currStatus"] == "Success" }, "\(Self.kcdStatus(s, "app-0")) \(s.kcd.child.errorOutput.suffix(3000))")
    #expect(Self.image(s, "app-0") == "\(s.repository):3ae8d1b@\(image.digest)")
    let status = Self.kcdStatus(s, "app-0")
    #expect(status["lastEvent"]["source"] == "distribution")
    #expect(try Self.patches(s) == 1)
    let metrics = try Subprocess.run(["curl", "-s", "http://127.0.0.1:\(s.kcd.apiPort)/metrics"]).stdout
    #expect(metrics.contains("kcd_hook_requests_total{source=\"distribution\",code=\"202\"}"), "\(metrics)")
    #expect(metrics.contains("kcd_registry_requests_total{registry=\"\(s.registry.host)\",code=\"200\"}"), "the digest was confirmed with the registry: \(metrics)")

    // The same image pushed again: notified, answered, nothing rolled.
    try s.registry.push(layout: s.layout, name: "one", tag: "prod")
    _ = eventually(timeout: 3) { false }
    #expect(try Self.patches(s) == 1)
    #expect(Self.kcdStatus(s, "app-0")["currDigest"].stringValue == image.digest)
  }

  @Test("credentials from the workload's pull secret; an event whose digest the registry contradicts is never deployed")
  func pullSecretAndMismatch() throws {
    let s = try Self.setUp(count: 1, pollInterval: 0, configuredCredentials: false, pullSecret: true)
    let one = TestImage(content: "one"), two = TestImage(content: "two")
    try s.registry.push(layout: s.layout, name: "one", tag: "prod")
    // Resolved with the pull secret's credentials (the config file names none).
    #expect(eventually(timeout: 60) { Self.kcdStatus(s, "app-0")["currDigest"].stringValue == one.digest && Self.kcdStatus(s, "app-0")["currStatus"] == "Success" },
            "\(Self.kcdStatus(s, "app-0")) \(s.kcd.child.errorOutput.suffix(3000))")

    // A notification claiming prod is `two` while the registry still says `one`.
    let event = #"{"events":[{"id":"forged-\#(Int.random(in: 0..<1_000_000))","timestamp":"2026-11-22T01:00:00Z","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(two.digest)","repository":"team/app","tag":"prod"},"request":{"host":"\#(s.registry.host)"}}]}"#
    let r = try httpRequest(port: s.kcd.hooksPort, method: "POST", path: "/hooks/distribution",
                            headers: ["Authorization": "Bearer \(Self.hookToken)", "Content-Type": "application/vnd.docker.distribution.events.v1+json"], body: event)
    #expect(r.status == 202, "\(r.text)")
    #expect(eventually(timeout: 30) { (Self.kcdStatus(s, "app-0")["message"].stringValue ?? "").contains("registry says") }, "\(Self.kcdStatus(s, "app-0"))")
    #expect(Self.kcdStatus(s, "app-0")["currDigest"].stringValue == one.digest)
    #expect(try Self.patches(s) == 1)
    let metrics = try Subprocess.run(["curl", "-s", "http://127.0.0.1:\(s.kcd.apiPort)/metrics"]).stdout
    #expect(metrics.contains("kcd_digest_mismatch_total{source=\"distribution\"} 1"), "\(metrics)")
    let events = try s.sim.kubectl(Kubectl.machine, ["get", "events", "-n", "shop", "--field-selector", "reason=DigestMismatch", "-o", "json"])
    #expect((try JSON.parse(events.stdout)["items"].arrayValue ?? []).count == 1, "\(events)")
  }

  @Test("with the hook off, the poller finds the push; 50 KCDs on one tag cost one look-up per cycle")
  func poller() throws {
    let s = try Self.setUp(count: 50, pollInterval: 2)
    // No hook: the registry's notifications now get 404 and kcd must poll.
    _ = try Subprocess.run(["rm", "-f", s.sim.directory + "/hooks/distribution"])
    let two = TestImage(content: "two")
    try s.registry.push(layout: s.layout, name: "two", tag: "prod")
    #expect(eventually(timeout: 90, interval: 0.5) {
      let all = Self.statuses(s)
      return all.count == 50 && all.values.allSatisfy { $0["currDigest"].stringValue == two.digest && $0["currStatus"] == "Success" }
    }, "\(Self.kcdStatus(s, "app-0")) \(s.kcd.child.errorOutput.suffix(3000))")
    #expect(Self.kcdStatus(s, "app-7")["lastEvent"]["source"] == "poll")
    #expect(Self.image(s, "app-13").hasSuffix("@\(two.digest)"))

    // Look-ups per cycle: count registry requests over a few cycles.
    func lookups() throws -> Double {
      let text = try Subprocess.run(["curl", "-s", "http://127.0.0.1:\(s.kcd.apiPort)/metrics"]).stdout
      return text.split(separator: "\n").filter { $0.hasPrefix("kcd_registry_requests_total{registry=\"\(s.registry.host)\"") }
        .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }
    let before = try lookups()
    let window = 8.0
    _ = eventually(timeout: window) { false }
    let made = try lookups() - before
    // About window / interval cycles (±10 % jitter), one request each — never one per KCD.
    #expect(made >= 2 && made <= 6, "\(made) registry requests in \(window) s for 50 KCDs")
  }
}
