import KcdCore
import KcdJSON
import KcdTestSupport
import Testing

/// `kind: Signature` checks in a real rollout: `kcd run` against KubeSim and Debian's
/// docker-registry, keys made in the test, signatures in both layouts and keyless (a Fulcio-style
/// leaf, a log promise and a trusted root made in the test, the root read from a ConfigMap). A
/// good signature, or the right workflow identity, deploys; a missing one, a wrong key, a
/// signature of another digest or another identity is refused with a Warning Event and nothing
/// patched.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct SignatureRolloutEndToEndTests {
  static var crd: String { TestEnvironment.read(TestEnvironment.packageRoot + "/charts/kcd/crds/kcd.yaml") ?? "" }

  /// A Deployment and a KCD per (name, tag, key ConfigMap) following `<registry>/team/app:<tag>`.
  static func manifests(_ repository: String, _ items: [(name: String, tag: String, key: String)], verify: [String: String] = [:]) -> String {
    var out = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
    for i in items {
      out += """
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: \(i.name), namespace: shop, labels: {app: \(i.name)}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: \(i.name)}}
          template:
            metadata: {labels: {app: \(i.name)}}
            spec: {containers: [{name: app, image: "\(repository):old"}]}
        ---
        apiVersion: kcd.dev/v1
        kind: KCD
        metadata: {name: \(i.name), namespace: shop}
        spec:
          imageRepo: "\(repository)"
          tag: \(i.tag)
          selector: {app: \(i.name)}
          pollIntervalSeconds: 0
          verify: \(verify[i.name] ?? "[{kind: Signature, publicKey: {configMapRef: {name: \(i.key), key: cosign.pub}}}]")

        """
    }
    return out
  }

  static func configMap(_ name: String, pem: String, key: String = "cosign.pub") -> String {
    var j: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "shop"]]
    j["data"] = [.init(stringLiteral: key): .string(pem)]
    return j.text
  }

  /// A keyless check of the workflow identity the test's Fulcio leaf carries.
  static func keyless(subject: String) -> String {
    #"[{kind: Signature, keyless: {issuer: "\#(KeylessBundleRegistryTests.issuer)", subject: "\#(subject)", trustedRoot: {configMapRef: {name: sigstore, key: trusted_root.json}}}}]"#
  }

  @Test("a good signature (legacy tag or bundle referrer) deploys; unsigned, wrong key and another digest's signature are refused")
  func rollouts() throws {
    let scenario = try SigningScenario()
    let wrongKey = try scenario.workshop.key()
    // v1: legacy signature by the trusted key. multi (an index): a bundle on its index digest.
    try scenario.publishLegacy([try scenario.workshop.legacyLayer(naming: scenario.image.digest, key: scenario.key)], for: scenario.image.digest)
    try scenario.publishBundle(try scenario.workshop.dsseBundle(naming: scenario.index.digest, key: scenario.key), for: scenario.index.digest)
    // v1 also carries a keyless bundle: a Fulcio-style leaf for a workflow identity, logged.
    let sigstore = try TestSigstore(scenario.workshop)
    let leaf = try sigstore.leaf(san: "URI:\(KeylessBundleRegistryTests.subject)", issuer: KeylessBundleRegistryTests.issuer)
    try scenario.publishBundle(try sigstore.dsseBundle(digest: scenario.image.digest, leaf: leaf, integratedTime: Int64(Timestamps.now())), for: scenario.image.digest)
    // v2's `.sig` tag holds a signature of v1's digest (copied over): it signs something else.
    try scenario.publishLegacy([try scenario.workshop.legacyLayer(naming: scenario.image.digest, key: scenario.key)], for: scenario.other.digest)

    // v3: never signed.
    let unsigned = TestImage(content: "never signed")
    let layout = scenario.registry.directory + "/unsigned"
    try OCILayout.write(layout, images: [("u", unsigned)])
    try scenario.registry.push(layout: layout, name: "u", tag: "v3")

    let sim = try SimProcess()
    let repository = scenario.repository
    for doc in [Self.crd, Self.manifests(repository, [("legacy", "v1", "trusted"), ("bundle", "multi", "trusted"), ("copied", "v2", "trusted"),
                                                       ("wrongkey", "v1", "untrusted"), ("unsigned", "v3", "trusted"),
                                                       ("keyless", "v1", ""), ("keyless-other", "v1", "")],
                                              verify: ["keyless": Self.keyless(subject: KeylessBundleRegistryTests.subject),
                                                       "keyless-other": Self.keyless(subject: "https://git.example.com/org/other/.github/workflows/release.yml@refs/heads/main")]),
                Self.configMap("trusted", pem: scenario.key.publicPEM), Self.configMap("untrusted", pem: wrongKey.publicPEM),
                Self.configMap("sigstore", pem: sigstore.trustedRoot(), key: "trusted_root.json")] {
      let r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: doc)
      #expect(r.status == 0, "\(r)")
    }
    let passwordFile = sim.directory + "/registry-password"
    TestEnvironment.write(DistributionRegistry.password, to: passwordFile)
    let config = sim.directory + "/kcd.yaml"
    TestEnvironment.write("registries:\n  - {host: \"\(scenario.registry.host)\", username: \(DistributionRegistry.username), passwordFile: \(passwordFile)}\n",
                          to: config)
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, extraArguments: ["--config", config])
    #expect(kcd.waitReady())
    let digests = ["legacy": scenario.image.digest, "bundle": scenario.index.digest, "copied": scenario.other.digest, "wrongkey": scenario.image.digest,
                   "unsigned": unsigned.digest, "keyless": scenario.image.digest, "keyless-other": scenario.image.digest]
    let tags = ["legacy": "v1", "bundle": "multi", "copied": "v2", "wrongkey": "v1", "unsigned": "v3", "keyless": "v1", "keyless-other": "v1"]
    for name in ["legacy", "bundle", "copied", "wrongkey", "unsigned", "keyless", "keyless-other"] {
      let sent = try kcd.send(repository: repository, tag: tags[name]!, digest: digests[name]!, version: "1.0.0", extra: ["--kcd", "shop/\(name)"])
      #expect(sent.status == 0, "\(sent)")
    }
    func status(_ name: String) -> JSON {
      guard let r = try? sim.kubectl(Kubectl.machine, ["get", "kcd", name, "-n", "shop", "-o", "json"]) else { return .null }
      return (try? JSON.parse(r.stdout))?["status"] ?? .null
    }
    func image(_ name: String) -> String {
      (try? sim.kubectl(Kubectl.machine, ["get", "deploy", name, "-n", "shop", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]).stdout) ?? ""
    }
    func warning(_ name: String) -> String {
      guard let r = try? sim.kubectl(Kubectl.machine, ["get", "events", "-n", "shop", "--field-selector",
                                                       "reason=VerificationFailed,involvedObject.name=\(name)", "-o", "json"]) else { return "" }
      return ((try? JSON.parse(r.stdout))?["items"].arrayValue ?? []).compactMap { $0["message"].stringValue }.joined(separator: " | ")
    }
    for name in ["legacy", "bundle", "keyless"] {
      #expect(eventually(timeout: 60) { status(name)["currStatus"] == "Success" }, "\(name): \(status(name)) \(kcd.child.errorOutput.suffix(2000))")
      #expect(image(name) == "\(repository):1.0.0@\(digests[name]!)")
    }
    for (name, says) in [("copied", "signed another digest: the payload names \(scenario.image.digest.prefix(19))"),
                         ("wrongkey", "the signature does not verify with the configured public key"), ("unsigned", "no signature"),
                         ("keyless-other", "subject")] {
      #expect(eventually(timeout: 60) { status(name)["failedDigest"].stringValue == digests[name] }, "\(name): \(status(name))")
      #expect(warning(name).contains("failed: Signature: ") && warning(name).contains(says), "\(name): \(warning(name))")
      #expect(image(name) == "\(repository):old", "nothing patched")
    }
  }
}
