import KcdCore
import KcdHTTP
import KcdHooks
import KcdJSON
import KcdTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `spec.verify` end to end: `kcd run` against KubeSim; Image checks run as Jobs (KubeSim
/// scripts their outcome by image: `job-fail` exits 1, `fail-progress` never starts), Webhook
/// checks go to a local server. A pass rolls out; a failure, a timeout or a refusal leaves the
/// workload untouched, with failedDigest and a Warning Event saying why.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct VerificationEndToEndTests {
  static let verificationKey = "whsec_dmVyaWZpY2F0aW9uLWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OQ=="

  /// A Deployment and a KCD per name, each on its own repository, with the given checks.
  static func manifests(_ items: [(name: String, verify: String)]) -> String {
    var out = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
    for (name, verify) in items {
      out += """
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: \(name), namespace: shop, labels: {app: \(name)}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name)}}
            spec: {containers: [{name: app, image: "registry.example/\(name):old"}]}
        ---
        apiVersion: kcd.dev/v1
        kind: KCD
        metadata: {name: \(name), namespace: shop}
        spec: {imageRepo: registry.example/\(name), tag: main, selector: {app: \(name)}, pollIntervalSeconds: 0, verify: \(verify)}

        """
    }
    return out
  }

  static func start(_ items: [(name: String, verify: String)], config: String? = nil) throws -> (SimProcess, KcdProcess) {
    let sim = try SimProcess()
    try sim.apply([SpineEndToEndTests.crd, manifests(items)])
    let keyFile = sim.directory + "/verification.key"
    TestEnvironment.write(verificationKey + "\n", to: keyFile)
    var arguments = ["--verification-key-file", keyFile]
    if let config {
      TestEnvironment.write(config, to: sim.directory + "/kcd.yaml")
      arguments += ["--config", sim.directory + "/kcd.yaml"]
    }
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, extraArguments: arguments)
    return (sim, kcd)
  }

  static func status(_ sim: SimProcess, _ name: String) -> JSON { sim.json(["kcd", name, "-n", "shop"])["status"] }

  static func image(_ sim: SimProcess, _ name: String) -> String {
    sim.json(["deploy", name, "-n", "shop"])["spec"]["template"]["spec"]["containers"][0]["image"].stringValue ?? ""
  }

  static func warnings(_ sim: SimProcess, _ name: String) -> [String] {
    (sim.json(["events", "-n", "shop", "--field-selector", "reason=VerificationFailed,involvedObject.name=\(name)"])["items"].arrayValue ?? [])
      .compactMap { $0["message"].stringValue }
  }

  /// Waits for a failed verification of `digest`; checks nothing was patched.
  static func expectRefused(_ sim: SimProcess, _ kcd: KcdProcess, _ name: String, digest: String, saying: String) {
    let ok = eventually(timeout: 60) { status(sim, name)["failedDigest"].stringValue == digest }
    #expect(ok, "\(name): \(status(sim, name)) \(kcd.child.errorOutput.suffix(2000))")
    #expect(status(sim, name)["currStatus"] == "Failed")
    #expect(warnings(sim, name).contains { $0.contains(saying) }, "\(name): \(warnings(sim, name))")
    #expect(image(sim, name) == "registry.example/\(name):old", "nothing patched")
  }

  @Test("Image checks: exit 0 rolls out (the Job deleted after); exit 1 is refused with the log's tail; one that never finishes times out")
  func imageChecks() throws {
    let (sim, kcd) = try Self.start([
      ("passes", "[{kind: Image, image: registry.example/smoke, tag: ok}]"),
      ("fails", "[{kind: Image, image: registry.example/smoke-job-fail, tag: v1}]"),
      ("hangs", "[{kind: Image, image: registry.example/fail-progress, timeoutSeconds: 2}]"),
    ])
    var digests: [String: String] = [:]
    for name in ["passes", "fails", "hangs"] { digests[name] = try kcd.push(repository: "registry.example/\(name)", tag: "main", version: "1.0.\(name.count)") }

    let passed = eventually(timeout: 60) { Self.status(sim, "passes")["currStatus"] == "Success" }
    #expect(passed, "\(Self.status(sim, "passes")) \(kcd.child.errorOutput.suffix(2000))")
    #expect(Self.image(sim, "passes") == "registry.example/passes:1.0.6@\(digests["passes"]!)")
    let verified = (Self.status(sim, "passes")["conditions"].arrayValue ?? []).first { $0["type"] == "Verified" }
    #expect(verified?["status"] == "True", "\(Self.status(sim, "passes"))")

    Self.expectRefused(sim, kcd, "fails", digest: digests["fails"]!, saying: "registry.example/smoke-job-fail:v1 failed")
    // The log's tail shows what the check was given.
    #expect(Self.warnings(sim, "fails").contains { $0.contains("KCD_DIGEST=\(digests["fails"]!)") }, "\(Self.warnings(sim, "fails"))")
    Self.expectRefused(sim, kcd, "hangs", digest: digests["hangs"]!, saying: "did not finish within 2 s")

    // Every Job is deleted once decided.
    #expect(eventually(timeout: 20) { (sim.json(["jobs", "-n", "shop"])["items"].arrayValue ?? []).isEmpty }, "\(sim.json(["jobs", "-n", "shop"]))")
    let created = try sim.requestLog().filter { $0["method"] == "POST" && ($0["path"].stringValue ?? "").hasSuffix("/namespaces/shop/jobs") }
    #expect(created.count == 3, "one Job per check")
  }

  @Test("Webhook checks: 2xx rolls out with a request signed by kcd's key; 4xx, 5xx and no answer are refused with the reason")
  func webhookChecks() throws {
    let seen = Mutex<[HTTPRequest]>([])
    let server = try HTTPServer(configuration: HTTPServerConfiguration(address: "127.0.0.1:0"), handler: HTTPClosureHandler { request in
      seen.withLock { $0.append(request) }
      switch request.path {
      case "/ok": return HTTPResponse(status: 204)
      case "/deny": return HTTPResponse(status: 403, body: Array("outside the release window\nsecond line".utf8))
      case "/broken": return HTTPResponse(status: 503, body: Array("upstream down".utf8))
      default:
        usleep(3_000_000)
        return HTTPResponse(status: 200)
      }
    })
    defer { server.shutdown(grace: 1) }
    let base = "http://127.0.0.1:\(server.port)"
    let (sim, kcd) = try Self.start([
      ("gate-ok", "[{kind: Webhook, url: \"\(base)/ok\"}]"),
      ("gate-deny", "[{kind: Webhook, url: \"\(base)/deny\"}]"),
      ("gate-broken", "[{kind: Webhook, url: \"\(base)/broken\"}]"),
      ("gate-slow", "[{kind: Webhook, url: \"\(base)/slow\", timeoutSeconds: 1}]"),
    ])
    var digests: [String: String] = [:]
    for name in ["gate-ok", "gate-deny", "gate-broken", "gate-slow"] {
      digests[name] = try kcd.push(repository: "registry.example/\(name)", tag: "main", version: "2.0.0")
    }
    #expect(eventually(timeout: 60) { Self.status(sim, "gate-ok")["currStatus"] == "Success" }, "\(Self.status(sim, "gate-ok"))")
    #expect(Self.image(sim, "gate-ok") == "registry.example/gate-ok:2.0.0@\(digests["gate-ok"]!)")
    Self.expectRefused(sim, kcd, "gate-deny", digest: digests["gate-deny"]!, saying: "answered 403: outside the release window")
    #expect(!Self.warnings(sim, "gate-deny").contains { $0.contains("second line") })
    Self.expectRefused(sim, kcd, "gate-broken", digest: digests["gate-broken"]!, saying: "answered 503: upstream down")
    Self.expectRefused(sim, kcd, "gate-slow", digest: digests["gate-slow"]!, saying: "did not answer within 1 s")

    // The request describes the candidate and verifies with the key the test gave kcd.
    let request = try #require(seen.withLock { $0.first { $0.path == "/ok" } })
    let body = try JSON.parse(request.body)
    #expect(body["digest"].stringValue == digests["gate-ok"] && body["version"] == "2.0.0" && body["kcd"]["name"] == "gate-ok")
    #expect(body["image"].stringValue == "registry.example/gate-ok:2.0.0@\(digests["gate-ok"]!)")
    let key = try StandardWebhooks.Key(secret: Self.verificationKey)
    try StandardWebhooks.verify(keys: [key], id: request.headers["webhook-id"], timestamp: request.headers["webhook-timestamp"],
                                signatures: request.headers["webhook-signature"], body: request.body, now: Timestamps.now())
    let wrong = try StandardWebhooks.Key(secret: "whsec_" + Base64.encode(Array(repeating: 7, count: 32)))
    #expect(throws: (any Error).self) {
      try StandardWebhooks.verify(keys: [wrong], id: request.headers["webhook-id"], timestamp: request.headers["webhook-timestamp"],
                                  signatures: request.headers["webhook-signature"], body: request.body, now: Timestamps.now())
    }
  }

  @Test("checks: in kcd's config: a URL, an image or a service account it does not list is refused before anything is sent or created")
  func allowList() throws {
    let seen = Mutex<[String]>([])
    let server = try HTTPServer(configuration: HTTPServerConfiguration(address: "127.0.0.1:0"), handler: HTTPClosureHandler { request in
      seen.withLock { $0.append(request.path) }
      return HTTPResponse(status: 204)
    })
    defer { server.shutdown(grace: 1) }
    let base = "http://127.0.0.1:\(server.port)"
    let (sim, kcd) = try Self.start([
      ("url-listed", "[{kind: Webhook, url: \"\(base)/gate/ok\"}]"),
      ("url-unlisted", "[{kind: Webhook, url: \"\(base)/admin\"}]"),
      ("url-escapes", "[{kind: Webhook, url: \"\(base)/gate/../admin\"}]"),
      ("image-listed", "[{kind: Image, image: registry.example/smoke, tag: ok, serviceAccountName: kcd-checks}]"),
      ("image-unlisted", "[{kind: Image, image: registry.example/other-tool, tag: ok}]"),
      ("account-unlisted", "[{kind: Image, image: registry.example/smoke, tag: ok, serviceAccountName: deployer}]"),
    ], config: """
      checks:
        webhookURLs: ["\(base)/gate/"]
        images: [registry.example/smoke]
        serviceAccounts: [kcd-checks]
      """)
    var digests: [String: String] = [:]
    for name in ["url-listed", "url-unlisted", "url-escapes", "image-listed", "image-unlisted", "account-unlisted"] {
      digests[name] = try kcd.push(repository: "registry.example/\(name)", tag: "main", version: "3.0.0")
    }
    for name in ["url-listed", "image-listed"] {
      #expect(eventually(timeout: 60) { Self.status(sim, name)["currStatus"] == "Success" }, "\(name): \(Self.status(sim, name)) \(kcd.child.errorOutput.suffix(2000))")
    }
    Self.expectRefused(sim, kcd, "url-unlisted", digest: digests["url-unlisted"]!, saying: "not sent: \(base)/admin is not in kcd's checks.webhookURLs")
    Self.expectRefused(sim, kcd, "url-escapes", digest: digests["url-escapes"]!, saying: "not one kcd's checks.webhookURLs can allow")
    Self.expectRefused(sim, kcd, "image-unlisted", digest: digests["image-unlisted"]!,
                       saying: "no Job created: the image registry.example/other-tool is not in kcd's checks.images")
    Self.expectRefused(sim, kcd, "account-unlisted", digest: digests["account-unlisted"]!,
                       saying: "the service account deployer is not in kcd's checks.serviceAccounts")
    // Only the listed URL was called, and only the listed check made a Job.
    #expect(seen.withLock { $0 } == ["/gate/ok"])
    let created = try sim.requestLog().filter { $0["method"] == "POST" && ($0["path"].stringValue ?? "").hasSuffix("/namespaces/shop/jobs") }
    #expect(created.count == 1, "\(created)")
  }
}
