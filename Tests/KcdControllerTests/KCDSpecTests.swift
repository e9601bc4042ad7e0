import KcdController
import KcdJSON
import Testing

/// `KCDSpec.parse`: every problem a user can make is reported (all at once, in a stable order),
/// defaults match SPEC §2, and the compatibility rules of the original kcd hold.
@Suite struct KCDSpecTests {
  /// A valid KCD whose spec fields can be overridden (`.null` removes a field).
  static func kcd(_ overrides: [String: JSON] = [:]) -> JSON {
    var spec: JSON = ["imageRepo": "registry.example/shop/web", "tag": "main", "selector": ["app": "web"]]
    for (k, v) in overrides {
      if v.isNull { spec.removeValue(forKey: k) } else { spec[k] = v }
    }
    return ["apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": "web", "namespace": "shop"], "spec": spec]
  }

  /// Parses a KCD object's spec, with the problems' messages.
  static func parse(_ kcd: JSON) -> (spec: KCDSpec?, problems: [String]) {
    let (spec, problems) = KCDSpec.parse(kcd["spec"])
    return (spec, problems.map(\.message))
  }

  @Test("a minimal spec parses with the documented defaults")
  func defaults() throws {
    let (spec, problems) = Self.parse(Self.kcd())
    #expect(problems == [])
    let s = try #require(spec)
    #expect(s.imageRepo == "registry.example/shop/web")
    #expect(s.repository == "registry.example/shop/web")
    #expect(s.tag == "main")
    #expect(s.versionSyntax == "[0-9a-f]{5,40}")
    #expect(s.selector == ["app": "web"])
    #expect(s.containerName == nil)
    #expect(s.timeoutSeconds == 900)
    #expect(s.pollIntervalSeconds == 600)
    #expect(s.suspend == false)
    #expect(s.strategy == .rollingUpdate)
    #expect(s.rollbackEnabled == true)
    #expect(s.ignoredFields == [])
  }

  @Test("every field is read when given")
  func allFields() throws {
    let kcd = Self.kcd([
      "imageRepo": "nginx", "tag": "stable", "versionSyntax": "^v[0-9]+$", "selector": ["app": "web", "tier": "front"],
      "container": ["name": "web"], "timeoutSeconds": 60, "pollIntervalSeconds": 0, "suspend": true,
      "strategy": ["kind": "Canary", "canary": ["selector": ["track": "canary"]]], "rollback": ["enabled": false],
    ])
    let s = try #require(KCDSpec.parse(kcd["spec"]).spec)
    #expect(s.imageRepo == "nginx")
    #expect(s.repository == "docker.io/library/nginx", "events compare against the canonical name")
    #expect(s.versionSyntax == "^v[0-9]+$")
    #expect(s.selector == ["app": "web", "tier": "front"])
    #expect(s.containerName == "web")
    #expect(s.timeoutSeconds == 60)
    #expect(s.pollIntervalSeconds == 0, "0 means webhooks only and is valid")
    #expect(s.suspend == true)
    #expect(s.strategy == .canary && s.canary?.selector == ["track": "canary"])
    #expect(s.rollbackEnabled == false)
  }

  @Test("an empty container name means every container running imageRepo")
  func emptyContainerName() throws {
    #expect(try #require(Self.parse(Self.kcd(["container": ["name": ""]])).spec).containerName == nil)
  }

  static let invalid: [(String, [String: JSON], [String])] = [
    ("missing imageRepo", ["imageRepo": .null], ["spec.imageRepo is required"]),
    ("empty imageRepo", ["imageRepo": ""], ["spec.imageRepo is required"]),
    ("imageRepo with a tag", ["imageRepo": "registry.example/shop/web:1.0"],
     ["spec.imageRepo \"registry.example/shop/web:1.0\" is not a repository name (no tag or digest)"]),
    ("Docker Hub imageRepo with a tag", ["imageRepo": "nginx:1"], ["spec.imageRepo \"nginx:1\" is not a repository name (no tag or digest)"]),
    ("imageRepo with a digest", ["imageRepo": "registry.example/shop/web@sha256:abc"],
     ["spec.imageRepo \"registry.example/shop/web@sha256:abc\" is not a repository name (no tag or digest)"]),
    ("imageRepo with a space", ["imageRepo": "registry.example/shop web"],
     ["spec.imageRepo \"registry.example/shop web\" is not a repository name (no tag or digest)"]),
    ("tag starting with a dash", ["tag": "-main"], ["spec.tag \"-main\" is not a valid tag"]),
    ("tag with a slash", ["tag": "feature/x"], ["spec.tag \"feature/x\" is not a valid tag"]),
    ("neither tag nor versionPolicy", ["tag": .null], ["spec.tag or spec.versionPolicy is required"]),
    ("empty tag and no versionPolicy", ["tag": ""], ["spec.tag or spec.versionPolicy is required"]),
    ("no selector", ["selector": .null], ["spec.selector must name at least one label (an empty selector would match every workload)"]),
    ("empty selector", ["selector": [:]], ["spec.selector must name at least one label (an empty selector would match every workload)"]),
    ("non-string selector value", ["selector": ["app": "web", "replicas": 3]], ["spec.selector.replicas must be a string"]),
    ("only a non-string selector value", ["selector": ["enabled": true]],
     ["spec.selector.enabled must be a string", "spec.selector must name at least one label (an empty selector would match every workload)"]),
    ("timeoutSeconds 0", ["timeoutSeconds": 0], ["spec.timeoutSeconds must be from 1 to 604800"]),
    ("negative timeoutSeconds", ["timeoutSeconds": -5], ["spec.timeoutSeconds must be from 1 to 604800"]),
    ("huge timeoutSeconds", ["timeoutSeconds": 1_000_000_000], ["spec.timeoutSeconds must be from 1 to 604800"]),
    ("negative pollIntervalSeconds", ["pollIntervalSeconds": -1], ["spec.pollIntervalSeconds must be from 0 to 604800"]),
    ("a long imageRepo is quoted cut short", ["imageRepo": .string(String(repeating: "a b", count: 200))],
     ["spec.imageRepo \"\(String(String(repeating: "a b", count: 22).prefix(64)))…\" is not a repository name (no tag or digest)"]),
  ]

  @Test("each invalid spec reports exactly its problem and yields no spec", arguments: invalid)
  func problems(_ name: String, _ overrides: [String: JSON], _ expected: [String]) {
    let (spec, problems) = Self.parse(Self.kcd(overrides))
    #expect(spec == nil, "\(name)")
    #expect(problems == expected, "\(name)")
  }

  @Test("problems are collected together, in field order")
  func collected() {
    let (spec, problems) = Self.parse(["spec": ["timeoutSeconds": 0, "pollIntervalSeconds": -1]])
    #expect(spec == nil)
    #expect(problems == [
      "spec.imageRepo is required",
      "spec.tag or spec.versionPolicy is required",
      "spec.selector must name at least one label (an empty selector would match every workload)",
      "spec.timeoutSeconds must be from 1 to 604800",
      "spec.pollIntervalSeconds must be from 0 to 604800",
    ])
  }

  @Test("stream mode: versionPolicy instead of tag; its kind defaults to semver; versions are what the policy takes")
  func streamMode() throws {
    let s = try #require(Self.parse(Self.kcd(["tag": .null, "versionPolicy": ["range": ">=1.4.0 <2.0.0"]])).spec)
    #expect(s.tag == nil && s.versionPolicy?.kind == .semver)
    #expect(s.isVersion("1.10.0") && !s.isVersion("2.0.0-rc.1") && !s.isVersion("3ae8d1b"))
    let n = try #require(Self.parse(Self.kcd(["tag": .null, "versionPolicy": ["kind": "numeric", "extract": "^build-(?<v>[0-9]+)$"]])).spec)
    #expect(n.isVersion("build-10") && !n.isVersion("10"))
  }

  @Test("a version policy that cannot be used is the user's to fix, with the reason", arguments: [
    (["versionPolicy": ["kind": "semver"]], "spec.tag and spec.versionPolicy exclude each other"),
    (["tag": .null, "versionPolicy": ["kind": "newest"]], "kind \"newest\" is not one of semver, numeric, alphabetical"),
    (["tag": .null, "versionPolicy": ["kind": "numeric", "range": "^1"]], "range applies to kind semver only"),
    (["tag": .null, "versionPolicy": ["range": ">=x.y"]], "is not a version"),
    (["tag": .null, "versionPolicy": ["kind": "numeric", "extract": "^b-([0-9]+)$"]], "(?<v>"),
    (["tag": .null, "versionPolicy": "semver"], "must be an object"),
  ] as [([String: JSON], String)])
  func invalidPolicy(_ overrides: [String: JSON], _ says: String) {
    let (spec, problems) = KCDSpec.parse(Self.kcd(overrides)["spec"])
    #expect(spec == nil)
    #expect(problems.count == 1 && problems[0].field == "spec.versionPolicy" && problems[0].kind == .invalid)
    #expect(problems.first?.message.contains(says) == true, "\(problems)")
  }

  @Test("verification checks: Image and Webhook from spec.verify and the original's container.verify, in that order")
  func verifyChecks() throws {
    let s = try #require(Self.parse(Self.kcd([
      "verify": [["kind": "Webhook", "url": "https://qa.example/gate"], ["kind": "Image", "image": "registry.example/smoke", "tag": "v2"]],
      "container": ["name": "web", "verify": [["kind": "Image", "image": "registry.example/e2e:3", "timeoutSeconds": 60, "args": ["--fast"]]]],
    ])).spec)
    #expect(s.verify.map(\.kind) == ["Webhook", "Image", "Image"])
    guard case .image(let smoke) = s.verify[1], case .image(let e2e) = s.verify[2], case .webhook(let gate) = s.verify[0] else {
      Issue.record("\(s.verify)"); return
    }
    #expect(smoke.reference == "registry.example/smoke:v2" && smoke.timeoutSeconds == 300)
    #expect(e2e.reference == "registry.example/e2e:3" && e2e.timeoutSeconds == 60 && e2e.args == ["--fast"])
    #expect(gate.url == "https://qa.example/gate" && gate.timeoutSeconds == 30)
  }

  @Test("Signature checks: a public key from a Secret or ConfigMap; keyless with exact or pattern identities and a trusted root")
  func signatureChecks() throws {
    let s = try #require(Self.parse(Self.kcd(["verify": [
      ["kind": "Signature", "publicKey": ["configMapRef": ["name": "cosign", "key": "cosign.pub"]]],
      ["kind": "Signature", "keyless": ["issuer": "https://token.actions.githubusercontent.com",
                                        "subjectPattern": "https://github[.]com/shop/web/.+@refs/heads/main",
                                        "trustedRoot": ["secretRef": ["name": "sigstore", "key": "trusted_root.json"]]]],
    ]])).spec)
    guard case .signature(let key) = s.verify[0], case .signature(let keyless) = s.verify[1] else { Issue.record("\(s.verify)"); return }
    #expect(key.trust == .publicKey(.init(kind: .configMap, name: "cosign", key: "cosign.pub")))
    #expect(keyless.trust == .keyless(trustedRoot: .init(kind: .secret, name: "sigstore", key: "trusted_root.json"),
                                      issuer: .exact("https://token.actions.githubusercontent.com"),
                                      subject: .pattern("https://github[.]com/shop/web/.+@refs/heads/main")))
  }

  @Test("verification checks that cannot run are the user's to fix", arguments: [
    (["verify": [["kind": "Signature"]]], "exactly one of publicKey or keyless"),
    (["verify": [["kind": "Signature", "publicKey": ["secretRef": ["name": "k"]]]]], "publicKey needs one of secretRef or configMapRef"),
    (["verify": [["kind": "Signature", "keyless": ["issuer": "i", "trustedRoot": ["configMapRef": ["name": "r", "key": "k"]]]]]],
     "keyless needs one of subject or subjectPattern"),
    (["verify": [["kind": "Signature", "keyless": ["issuer": "i", "subjectPattern": "(a", "trustedRoot": ["configMapRef": ["name": "r", "key": "k"]]]]]],
     "keyless.subjectPattern"),
    (["verify": [["kind": "Image"]]], "spec.verify[0]: image is required"),
    (["verify": [["kind": "Webhook", "url": "ftp://x"]]], "spec.verify[0]: url is required"),
    (["verify": [["kind": "Webhook", "url": "https://x", "timeoutSeconds": 0]]], "timeoutSeconds must be from 1 to 600"),
    (["verify": [["kind": "Smoke"]]], "spec.verify[0]: kind \"Smoke\" is not one of Image, Webhook, Signature"),
    (["verify": ["Image"]], "spec.verify[0]: must be an object"),
    (["verify": "Image"], "spec.verify must be a list of at most 16 checks"),
  ] as [([String: JSON], String)])
  func invalidChecks(_ overrides: [String: JSON], _ says: String) {
    let (spec, problems) = KCDSpec.parse(Self.kcd(overrides)["spec"])
    #expect(spec == nil)
    #expect(problems.contains { $0.kind == .invalid && $0.message.contains(says) }, "\(problems)")
  }

  @Test("a registry host with a port is not a tag")
  func hostPort() throws {
    let s = try #require(Self.parse(Self.kcd(["imageRepo": "Registry.Example:5000/team/app"])).spec)
    #expect(s.repository == "registry.example:5000/team/app")
  }

  @Test("strategy kinds other than the three supported mean RollingUpdate", arguments: [
    ("RollingUpdate", "RollingUpdate"), ("ServiceBlueGreen", "ServiceBlueGreen"), ("Canary", "Canary"),
    ("Recreate", "RollingUpdate"), ("rollingupdate", "RollingUpdate"), ("", "RollingUpdate"),
  ])
  func strategies(_ kind: String, _ expected: String) throws {
    let blueGreen: JSON = ["serviceName": "web", "labelNames": ["color"]]
    let strategy: JSON = ["kind": .string(kind), "blueGreen": blueGreen, "canary": ["selector": ["track": "canary"]]]
    #expect(try #require(Self.parse(Self.kcd(["strategy": strategy])).spec).strategy.rawValue == expected)
  }

  @Test("ServiceBlueGreen reads strategy.blueGreen (no longer refused as unsupported); other strategies leave it unread")
  func blueGreen() throws {
    let full: JSON = ["serviceName": "web", "verificationServiceName": "web-preview", "labelNames": ["color", "example.com/slot"], "scaleDown": true]
    let (spec, problems) = Self.parse(Self.kcd(["strategy": ["kind": "ServiceBlueGreen", "blueGreen": full]]))
    #expect(problems == [])
    #expect(try #require(spec).blueGreen == BlueGreenSpec(serviceName: "web", verificationServiceName: "web-preview", labelNames: ["color", "example.com/slot"], scaleDown: true))
    let minimal = try #require(Self.parse(Self.kcd(["strategy": ["kind": "ServiceBlueGreen", "blueGreen": ["serviceName": "web", "labelNames": ["color"], "verificationServiceName": ""]]])).spec)
    #expect(minimal.blueGreen == BlueGreenSpec(serviceName: "web", labelNames: ["color"], scaleDown: false))
    #expect(try #require(Self.parse(Self.kcd(["strategy": ["kind": "RollingUpdate", "blueGreen": full]])).spec).blueGreen == nil)
  }

  @Test("a ServiceBlueGreen spec kcd cannot act on is invalid, saying which field", arguments: [
    (JSON.null, "spec.strategy.blueGreen (serviceName, labelNames) is required"),
    (["labelNames": ["color"]], "spec.strategy.blueGreen.serviceName is required"),
    (["serviceName": "Web_1", "labelNames": ["color"]], "spec.strategy.blueGreen.serviceName \"Web_1\" is not a Service name"),
    (["serviceName": "web"], "spec.strategy.blueGreen.labelNames must list 1 to 16 label names"),
    (["serviceName": "web", "labelNames": []], "spec.strategy.blueGreen.labelNames must list 1 to 16 label names"),
    (["serviceName": "web", "labelNames": ["color", 3]], "spec.strategy.blueGreen.labelNames must list 1 to 16 label names"),
    (["serviceName": "web", "labelNames": ["-color"]], "spec.strategy.blueGreen.labelNames: \"-color\" is not a label name"),
    (["serviceName": "web", "labelNames": ["color", "color"]], "spec.strategy.blueGreen.labelNames lists a label twice"),
    (["serviceName": "web", "labelNames": ["color"], "verificationServiceName": "web"], "verificationServiceName must name another Service"),
  ] as [(JSON, String)])
  func blueGreenInvalid(_ blueGreen: JSON, _ says: String) {
    let (spec, problems) = KCDSpec.parse(Self.kcd(["strategy": ["kind": "ServiceBlueGreen", "blueGreen": blueGreen]])["spec"])
    #expect(spec == nil)
    #expect(problems.contains { $0.kind == .invalid && $0.message.contains(says) }, "\(problems)")
  }

  @Test("every strategy with its checks is read; the original's livenessSeconds is accepted and said to be ignored")
  func everyFieldImplemented() throws {
    for strategy: JSON in [["kind": "ServiceBlueGreen", "blueGreen": ["serviceName": "web", "labelNames": ["color"]],
                            "verify": [["kind": "Webhook", "url": "https://qa.example/gate"]]],
                           ["kind": "Canary", "canary": ["selector": ["track": "canary"]], "verify": [["kind": "Webhook", "url": "https://qa.example/gate"]]]] {
      let (spec, problems) = KCDSpec.parse(Self.kcd(["strategy": strategy])["spec"])
      #expect(problems.isEmpty && spec?.postVerify.count == 1, "\(problems)")
    }
    let s = try #require(Self.parse(Self.kcd(["livenessSeconds": 300])).spec)
    #expect(s.ignoredFields == ["spec.livenessSeconds"])
  }

  @Test("empty verification lists, disabled approvals and history are not refused")
  func notRefused() {
    let (_, problems) = KCDSpec.parse(Self.kcd(["verify": [], "approval": ["required": false], "history": ["enabled": false, "limit": 50],
                                                 "container": ["name": "web", "verify": []], "config": [:]])["spec"])
    #expect(problems.isEmpty)
  }

  @Test("serviceAccountName is accepted and listed as ignored")
  func serviceAccountName() throws {
    let (spec, problems) = Self.parse(Self.kcd(["serviceAccountName": "kcd-syncer"]))
    #expect(problems == [])
    #expect(try #require(spec).ignoredFields == ["spec.serviceAccountName"])
  }

  @Test("isVersion is anchored at both ends", arguments: [
    ("3ae8d1b", true), ("3AE8D1B", false), ("3ae8d", true), ("3ae8", false), ("x3ae8d1b", false), ("3ae8d1b-dirty", false),
    (String(repeating: "a", count: 40), true), (String(repeating: "a", count: 41), false), ("main", false), ("", false),
  ])
  func isVersionDefault(_ tag: String, _ expected: Bool) throws {
    #expect(try #require(Self.parse(Self.kcd()).spec).isVersion(tag) == expected)
  }

  @Test("isVersion anchors a custom alternation as a whole")
  func isVersionAlternation() throws {
    let s = try #require(Self.parse(Self.kcd(["versionSyntax": "v[0-9]+|build-[0-9]+"])).spec)
    #expect(s.isVersion("v12"))
    #expect(s.isVersion("build-7"))
    #expect(!s.isVersion("v12-build-7"))
    #expect(!s.isVersion("xv12"))
    #expect(!s.isVersion("build-7x"))
  }

  @Test("selects uses matchLabels semantics: every selector label, extra labels allowed", arguments: [
    (["app": "web", "tier": "front"], true), (["app": "web", "tier": "front", "extra": "x"], true), (["app": "web"], false),
    (["app": "api", "tier": "front"], false), ([:], false), (["App": "web", "tier": "front"], false),
  ] as [([String: String], Bool)])
  func selects(_ labels: [String: String], _ expected: Bool) throws {
    let s = try #require(Self.parse(Self.kcd(["selector": ["app": "web", "tier": "front"]])).spec)
    #expect(s.selects(labels) == expected)
  }
}
