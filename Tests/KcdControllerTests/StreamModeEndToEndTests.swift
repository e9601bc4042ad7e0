import KcdCore
import KcdJSON
import KcdTestSupport
import Testing

/// Stream mode end to end: Debian's docker-registry notifies kcd of each `skopeo copy`; kcd
/// lists the repository's tags, deploys the newest version its policy takes, and refuses an
/// older version pushed later (Warning Event `VersionRegression`, no patch). A stream KCD
/// created after the tags exist is brought to the newest version at once by the poller.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct StreamModeEndToEndTests {
  static let hookToken = "stream-hook-\(Int.random(in: 0..<1_000_000))"
  typealias Setup = RegistryEndToEndTests.Setup

  /// A Deployment and a stream KCD in namespace `shop` per (name, repository, policy).
  static func manifests(_ registry: DistributionRegistry, _ streams: [(name: String, repository: String, policy: String)]) -> String {
    var out = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
    for s in streams {
      out += """
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: \(s.name), namespace: shop, labels: {app: \(s.name)}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: \(s.name)}}
          template:
            metadata: {labels: {app: \(s.name)}}
            spec: {containers: [{name: app, image: "\(registry.host)/\(s.repository):old"}]}
        ---
        apiVersion: kcd.dev/v1
        kind: KCD
        metadata: {name: \(s.name), namespace: shop}
        spec: {imageRepo: "\(registry.host)/\(s.repository)", versionPolicy: \(s.policy), selector: {app: \(s.name)}, pollIntervalSeconds: 600}

        """
    }
    return out
  }

  static func setUp(images: [String]) throws -> Setup {
    let hooksPort = try Tools.freePort()
    let registry = try DistributionRegistry(notifications: [(url: "http://127.0.0.1:\(hooksPort)/hooks/distribution", authorization: "Bearer \(hookToken)")])
    let sim = try SimProcess()
    let r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: SpineEndToEndTests.crd)
    #expect(r.status == 0, "\(r)")
    let passwordFile = sim.directory + "/registry-password"
    TestEnvironment.write(DistributionRegistry.password, to: passwordFile)
    let config = sim.directory + "/kcd.yaml"
    TestEnvironment.write("registries:\n  - {host: \"\(registry.host)\", username: \(DistributionRegistry.username), passwordFile: \(passwordFile)}\n", to: config)
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, extraArguments: ["--config", config], hooksPort: hooksPort)
    #expect(kcd.waitReady())
    TestEnvironment.write(hookToken + "\n", to: sim.directory + "/hooks/distribution")
    let layout = sim.directory + "/layout"
    try OCILayout.write(layout, images: images.map { ($0, TestImage(content: $0)) })
    return Setup(sim: sim, registry: registry, kcd: kcd, layout: layout)
  }

  static func apply(_ s: Setup, _ streams: [(name: String, repository: String, policy: String)]) {
    let r = try? s.sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: manifests(s.registry, streams))
    #expect(r?.status == 0, "\(String(describing: r))")
  }

  static func status(_ s: Setup, _ name: String) -> JSON {
    guard let r = try? s.sim.kubectl(Kubectl.machine, ["get", "kcd", name, "-n", "shop", "-o", "json"]) else { return .null }
    return (try? JSON.parse(r.stdout))?["status"] ?? .null
  }

  static func image(_ s: Setup, _ name: String) -> String {
    (try? s.sim.kubectl(Kubectl.machine, ["get", "deploy", name, "-n", "shop", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]).stdout) ?? ""
  }

  static func regressions(_ s: Setup, _ name: String) -> [String] {
    guard let r = try? s.sim.kubectl(Kubectl.machine, ["get", "events", "-n", "shop", "--field-selector", "reason=VersionRegression,involvedObject.name=\(name)", "-o", "json"]),
      let j = try? JSON.parse(r.stdout) else { return [] }
    return (j["items"].arrayValue ?? []).compactMap { $0["message"].stringValue }
  }

  static func patches(_ s: Setup, _ name: String) throws -> Int {
    try s.sim.requestLog().filter { $0["method"] == "PATCH" && ($0["path"].stringValue ?? "").hasSuffix("/deployments/\(name)") && $0["code"] == 200 }.count
  }

  /// Waits until the KCD reports `version` deployed with Success and the Deployment runs it.
  static func waitDeployed(_ s: Setup, _ name: String, repository: String, version: String) {
    let digest = TestImage(content: version).digest
    let ok = eventually(timeout: 60) { status(s, name)["currVersion"].stringValue == version && status(s, name)["currStatus"] == "Success" }
    #expect(ok, "\(name): \(status(s, name)) \(s.kcd.child.errorOutput.suffix(2000))")
    #expect(image(s, name) == "\(s.registry.host)/\(repository):\(version)@\(digest)")
  }

  @Test("semver >=1.4.0 <2.0.0: the newest at creation, a pre-release ignored, 1.10.0 after 1.5.0, a later 1.9.0 refused as a regression")
  func semver() throws {
    let s = try Self.setUp(images: ["1.4.0", "1.5.0", "2.0.0-rc.1", "1.10.0", "1.9.0"])
    try s.registry.push(layout: s.layout, name: "1.4.0", tag: "1.4.0")
    try s.registry.push(layout: s.layout, name: "1.5.0", tag: "1.5.0")
    // Created after the pushes: the poller looks the newest version up at once.
    Self.apply(s, [("web", "team/app", #"{kind: semver, range: ">=1.4.0 <2.0.0"}"#)])
    Self.waitDeployed(s, "web", repository: "team/app", version: "1.5.0")
    #expect(Self.status(s, "web")["lastEvent"]["source"] == "poll")
    try s.registry.push(layout: s.layout, name: "2.0.0-rc.1", tag: "2.0.0-rc.1")
    try s.registry.push(layout: s.layout, name: "1.10.0", tag: "1.10.0")
    Self.waitDeployed(s, "web", repository: "team/app", version: "1.10.0")
    #expect(Self.status(s, "web")["lastEvent"]["source"] == "distribution")
    let before = try Self.patches(s, "web")

    try s.registry.push(layout: s.layout, name: "1.9.0", tag: "1.9.0")
    #expect(eventually(timeout: 30) { !Self.regressions(s, "web").isEmpty }, "\(Self.status(s, "web"))")
    #expect(Self.regressions(s, "web").first?.contains("1.9.0 is older than 1.10.0") == true, "\(Self.regressions(s, "web"))")
    #expect(Self.status(s, "web")["currVersion"] == "1.10.0")
    #expect(try Self.patches(s, "web") == before, "nothing patched for the older version")
    #expect(Self.image(s, "web").hasSuffix(":1.10.0@\(TestImage(content: "1.10.0").digest)"))
  }

  @Test("numeric and alphabetical with extract: build-10 after build-9, the newest timestamp; older ones refused")
  func numericAndAlphabetical() throws {
    let s = try Self.setUp(images: ["build-9", "build-10", "build-8", "RELEASE.2024-01-05T10-00-00Z", "RELEASE.2024-11-30T09-59-59Z",
                                    "RELEASE.2023-12-31T23-59-59Z"])
    Self.apply(s, [("builds", "team/builds", #"{kind: numeric, extract: "^build-(?<v>[0-9]+)$"}"#),
                   ("stamps", "team/stamps", #"{kind: alphabetical, extract: "^RELEASE[.](?<v>.+)$"}"#)])
    _ = eventually(timeout: 5) { Self.status(s, "builds")["conditions"].arrayValue?.isEmpty == false }
    try s.registry.push(layout: s.layout, name: "build-9", repository: "team/builds", tag: "build-9")
    Self.waitDeployed(s, "builds", repository: "team/builds", version: "build-9")
    try s.registry.push(layout: s.layout, name: "build-10", repository: "team/builds", tag: "build-10")
    Self.waitDeployed(s, "builds", repository: "team/builds", version: "build-10")
    try s.registry.push(layout: s.layout, name: "build-8", repository: "team/builds", tag: "build-8")
    #expect(eventually(timeout: 30) { Self.regressions(s, "builds").first?.contains("build-8 is older than build-10") == true },
            "\(Self.regressions(s, "builds")) \(Self.status(s, "builds"))")

    for stamp in ["RELEASE.2024-01-05T10-00-00Z", "RELEASE.2024-11-30T09-59-59Z"] {
      try s.registry.push(layout: s.layout, name: stamp, repository: "team/stamps", tag: stamp)
    }
    Self.waitDeployed(s, "stamps", repository: "team/stamps", version: "RELEASE.2024-11-30T09-59-59Z")
    try s.registry.push(layout: s.layout, name: "RELEASE.2023-12-31T23-59-59Z", repository: "team/stamps", tag: "RELEASE.2023-12-31T23-59-59Z")
    #expect(eventually(timeout: 30) { !Self.regressions(s, "stamps").isEmpty }, "\(Self.status(s, "stamps"))")
    #expect(Self.status(s, "stamps")["currVersion"] == "RELEASE.2024-11-30T09-59-59Z")
    #expect(Self.status(s, "builds")["currVersion"] == "build-10")
  }
}
