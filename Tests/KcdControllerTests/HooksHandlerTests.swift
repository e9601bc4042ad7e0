import KcdController
import KcdCore
import KcdHTTP
import KcdHooks
import KcdJSON
import KcdKube
import KcdServer
import KcdTestSupport
import KcdYAML
import KubeSim
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `HooksHandler` in process: disabled and misconfigured sources, methods, metrics per source
/// and code, and the recording path against an in-process KubeSim (202, replay 200, 503).
@Suite(.timeLimit(.minutes(2)))
struct HooksHandlerTests {
  static let key = "whsec_" + Base64.encode(Array("hooks handler test key!!".utf8))
  static let digest = "sha256:" + String(repeating: "f", count: 64)

  /// A handler over a fresh secrets folder; `client`/`candidates` default to an API that is never called.
  final class Fixture: Sendable {
    let directory: String
    let metrics: MetricsRegistry
    let lines: LineBox
    let handler: HooksHandler
    let kcds = KCDCache()
    /// The KCDs the cache is refilled from before each request (as the informer would keep it).
    let candidates: @Sendable () -> [JSON]

    init(client: KubeClient = KubeClient(connection: KubeConnection(server: "http://127.0.0.1:9")),
         candidates: @escaping @Sendable () -> [JSON] = { [] }) {
      self.candidates = candidates
      let directory = TestEnvironment.makeTemporaryDirectory("kcd-hooks")
      let metrics = MetricsRegistry()
      let lines = LineBox()
      ControllerMetrics.register(metrics)
      self.directory = directory
      self.metrics = metrics
      self.lines = lines
      handler = HooksHandler(secrets: HookSecrets(directory: directory, recheckInterval: 0), intake: EventIntake(client: client, kcds: kcds),
                             metrics: metrics, log: Logger(format: .json, component: "test", sink: { lines.append($0) }),
                             statusBase: "http://api.test")
    }

    deinit { _ = try? Subprocess.run(["rm", "-rf", directory]) }

    func writeSecret(_ text: String, source: String = "ci") { TestEnvironment.write(text, to: directory + "/" + source) }

    func count(_ source: String, _ code: Int) -> Double { metrics.value(ControllerMetrics.hookRequests, [source, String(code)]) }

    /// `onLoop`: as the event loop asks (`reply`); nil when the handler wanted a worker.
    func post(_ path: String = "/hooks/ci", body: String, id: String = "msg_\(Int.random(in: 0..<1_000_000_000))", key: String = HooksHandlerTests.key,
              onLoop: Bool) -> HTTPResponse? {
      let request = signed(path, body: body, id: id, key: key)
      guard case .now(let response) = handler.reply(request) else { return nil }
      return response
    }

    func post(_ path: String = "/hooks/ci", body: String, id: String = "msg_\(Int.random(in: 0..<1_000_000_000))", key: String = HooksHandlerTests.key)
      -> HTTPResponse
    {
      handler.handle(signed(path, body: body, id: id, key: key))
    }

    func signed(_ path: String, body: String, id: String, key: String) -> HTTPRequest {
      let timestamp = String(Int64(Timestamps.now()))
      let bytes = Array(body.utf8)
      let signature = StandardWebhooks.signature(key: try! StandardWebhooks.Key(secret: key), id: id, timestamp: timestamp, body: bytes)
      let headers: HTTPHeaders = ["webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature, "Content-Type": "application/json"]
      kcds.beginRelist()
      kcds.listed(candidates().map { ListedObject(object: $0) })
      kcds.endRelist()
      return HTTPRequest(method: "POST", target: path, headers: headers, body: bytes)
    }
  }

  static func json(_ r: HTTPResponse) -> JSON { (try? JSON.parse(r.bodyBytes)) ?? .null }

  static func body(tag: String = "main", digest: String = digest) -> String {
    #"{"repository":"registry.example/shop/web","tag":"\#(tag)","digest":"\#(digest)","version":"3ae8d1b"}"#
  }

  @Test("no secret file: the source is disabled and answers 404")
  func disabled() {
    let f = Fixture()
    let r = f.post(body: Self.body())
    #expect(r.status == 404)
    #expect(Self.json(r) == ["error": "source ci is not enabled"])
    #expect(f.count("ci", 404) == 1)
    #expect(f.lines.all.isEmpty)
  }

  @Test("a ci file without a usable key answers 500 and logs an error without the secret", arguments: [
    "\n\n   \n", "whsec_!!!not-base64-secret-material!!!\n", "whsec_\n", "\n  whsec_%%%%also-secret%%%%  \n\n",
  ])
  func misconfigured(_ file: String) throws {
    let f = Fixture()
    f.writeSecret(file)
    let r = f.post(body: Self.body())
    #expect(r.status == 500)
    #expect(Self.json(r) == ["error": "the ci hook is misconfigured"])
    let lines = f.lines.all
    #expect(lines.count == 1)
    let line = try #require(lines.first)
    let entry = try JSON.parse(line)
    #expect(entry["level"] == "error")
    #expect(entry["source"] == "ci")
    #expect(entry["msg"].stringValue?.isEmpty == false)
    // The key format may be named ("whsec_"); the key material never.
    for secret in ["not-base64-secret-material", "%%%%also-secret%%%%"] {
      #expect(!line.contains(secret), "\(line)")
      #expect(!String(decoding: r.bodyBytes, as: UTF8.self).contains(secret))
    }
    #expect(f.count("ci", 500) == 1)
  }

  @Test("other methods get 405 with Allow: POST, even on disabled sources", arguments: ["GET", "PUT", "DELETE", "HEAD"])
  func methods(_ method: String) {
    let f = Fixture()
    f.writeSecret(Self.key + "\n")
    for (path, source) in [("/hooks/ci", "ci"), ("/hooks/ecr", "ecr"), ("/hooks/dockerhub/some-token", "dockerhub")] {
      let r = f.handler.handle(HTTPRequest(method: method, target: path))
      #expect(r.status == 405, "\(method) \(path)")
      #expect(r.headers["Allow"] == "POST")
      #expect(f.count(source, 405) == 1, "\(source)")
    }
  }

  @Test("unknown paths are 404 under source \"unknown\"; known but unimplemented sources are 404 under their name")
  func unknownPaths() {
    let f = Fixture()
    for path in ["/hooks/nope", "/hooks", "/", "/api/v1/workloads", "/hooks/CI"] {
      #expect(f.handler.handle(HTTPRequest(method: "POST", target: path)).status == 404, "\(path)")
    }
    #expect(f.count("unknown", 404) == 5)
    #expect(f.handler.handle(HTTPRequest(method: "POST", target: "/hooks/harbor", body: Array("{}".utf8))).status == 404)
    #expect(f.count("harbor", 404) == 1)
  }

  @Test("requests are counted per source and code")
  func metrics() throws {
    let f = Fixture()
    f.writeSecret(Self.key + "\n")
    #expect(f.post(body: Self.body(), key: "whsec_" + Base64.encode(Array("not the configured key..".utf8))).status == 401)
    #expect(f.post(body: Self.body(), key: "whsec_" + Base64.encode(Array("not the configured key..".utf8))).status == 401)
    #expect(f.post(body: "{broken", key: Self.key).status == 400)
    #expect(f.post(body: Self.body(), key: Self.key).status == 200, "authentic, no KCD follows it")
    _ = f.handler.handle(HTTPRequest(method: "GET", target: "/hooks/github"))
    #expect(f.count("ci", 401) == 2)
    #expect(f.count("ci", 400) == 1)
    #expect(f.count("ci", 200) == 1)
    #expect(f.count("github", 405) == 1)
    #expect(f.count("ci", 202) == 0)
    let rendered = f.metrics.render()
    #expect(rendered.contains("kcd_hook_requests_total{source=\"ci\",code=\"401\"} 2\n"), "\(rendered)")
    #expect(f.lines.all.isEmpty, "nothing is logged of requests that are not authentic or not recorded")
  }

  /// A push for KCDs kcd refuses is answered on the event loop from the cache, listing them
  /// under `refused` (never "no KCD follows"), and nothing is written: the client points at a
  /// closed port, so any API call would turn the answer into a 503.
  @Test("a push for an invalid or unsupported KCD is answered at once with the KCD under refused, without an API call")
  func refusedWithoutWrites() throws {
    let invalid: JSON = ["apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": "broken", "namespace": "shop", "resourceVersion": "5"],
                         "spec": ["imageRepo": "registry.example/shop/web", "tag": "main", "selector": [:]]]
    let unsupported: JSON = ["apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": "canary", "namespace": "shop", "resourceVersion": "6"],
                             "spec": ["imageRepo": "registry.example/shop/web", "tag": "main", "selector": ["app": "web"],
                                      "strategy": ["kind": "Canary"]]]
    let f = Fixture(candidates: { [invalid, unsupported] })
    f.writeSecret(Self.key + "\n")
    let response = try #require(f.post(body: Self.body(), onLoop: true), "answered on the event loop")
    #expect(response.status == 200)
    let body = Self.json(response)
    #expect(body["refused"].arrayValue?.map { $0["kcd"] } == ["shop/broken", "shop/canary"], "\(body)")
    #expect(body["refused"][0]["reason"].stringValue?.contains("spec.selector") == true)
    #expect(body["message"] == "the KCDs that follow registry.example/shop/web:main cannot act on it (see refused)")
  }

  /// A delivery that carries several events shares one budget: the handler passes one
  /// deadline to every `record`, and a record whose deadline cannot cover the API's Retry-After
  /// gives up at once (the sender is told to retry) instead of starting a fresh budget.
  @Test("record honours the deadline it is given")
  func recordSharesTheDeliveryDeadline() throws {
    let (sim, client) = try Self.cluster()
    defer { sim.stop() }
    let kcds = KCDCache()
    kcds.beginRelist()
    kcds.listed(try client.list(.kcds).items.map { ListedObject(object: $0) })
    kcds.endRelist()
    let intake = EventIntake(client: client, kcds: kcds)
    let event = ImageEvent(repository: "registry.example/shop/web", tag: "main", digest: Self.digest, source: "ci", deliveryID: "msg_deadline",
                           receivedAt: Timestamps.now())
    sim.api.faults.add(FaultRule(verb: "patch", resource: "kcds", code: 429, count: 1, retryAfterSeconds: 2))
    let started = monotonicSeconds()
    #expect(throws: KubeError.self) { try intake.record(event, deadline: started + 0.5) }
    #expect(monotonicSeconds() - started < 1.5, "no wait past the delivery's deadline")
    #expect(try intake.record(event).accepted == ["shop/web"], "with its own budget the same event gets through")
  }

  /// KubeSim (plain HTTP, in process) with the KCD CRD, namespace shop and KCD shop/web.
  static func cluster() throws -> (KubeSim, KubeClient) {
    var options = KubeSim.Options()
    options.tls = false
    let sim = try KubeSim(options: options)
    let client = KubeClient(connection: KubeConnection(server: sim.url, credentials: Credentials(.token(sim.token))))
    let crdText = try #require(TestEnvironment.read(TestEnvironment.packageRoot + "/charts/kcd/crds/kcd.yaml"))
    _ = try client.create(.customResourceDefinitions, namespace: nil, try YAML.parse(crdText))
    _ = try client.create(.namespaces, namespace: nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]])
    let kcd: JSON = ["apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": "web"],
                     "spec": ["imageRepo": "registry.example/shop/web", "tag": "main", "selector": ["app": "web"]]]
    var created = false
    _ = eventually(timeout: 10, interval: 0.05) {
      created = (try? client.create(.kcds, namespace: "shop", kcd)) != nil
      return created
    }
    #expect(created, "the KCD CRD is served")
    return (sim, client)
  }

  @Test("an authentic event is recorded on the KCD (202), a replay is 200, and a failed write is 503 with Retry-After")
  func records() throws {
    let (sim, client) = try Self.cluster()
    defer { sim.stop() }
    let f = Fixture(client: client, candidates: { (try? client.list(.kcds).items) ?? [] })
    f.writeSecret(Self.key + "\n")

    let accepted = f.post(body: Self.body(), id: "msg_first")
    #expect(accepted.status == 202, "\(String(decoding: accepted.bodyBytes, as: UTF8.self))")
    #expect(Self.json(accepted) == ["accepted": [["kcd": "shop/web", "status": "http://api.test/api/v1/namespaces/shop/kcds/web"]], "duplicates": []])
    let stored = try #require(RequestedRollout(kcd: try client.get(.kcds, namespace: "shop", name: "web")))
    #expect(stored.id == "msg_first")
    #expect(stored.digest == Self.digest)
    #expect(stored.version == "3ae8d1b")
    #expect(stored.source == "ci")
    #expect(stored.recent == ["msg_first"])
    let logged = try JSON.parse(try #require(f.lines.all.last))
    #expect(logged["msg"] == "event accepted")
    #expect(logged["kcds"] == "shop/web")

    let replay = f.post(body: Self.body(), id: "msg_first")
    #expect(replay.status == 200)
    #expect(Self.json(replay) == ["accepted": [], "duplicates": [["kcd": "shop/web", "reason": "delivery msg_first was already received"]],
                                  "message": "nothing new for the matching KCDs"])
    let sameDigest = f.post(body: Self.body(), id: "msg_second")
    #expect(sameDigest.status == 200)
    #expect(Self.json(sameDigest)["duplicates"][0]["reason"] == "digest already requested")

    let otherTag = f.post(body: Self.body(tag: "develop"))
    #expect(otherTag.status == 200)
    #expect(Self.json(otherTag)["message"] == "no KCD follows registry.example/shop/web:develop")

    sim.api.faults.add(FaultRule(verb: "patch", resource: "kcds", code: 500))
    let unavailable = f.post(body: Self.body(digest: "sha256:" + String(repeating: "0", count: 64)), id: "msg_third")
    #expect(unavailable.status == 503)
    #expect(unavailable.headers["Retry-After"] == "5")
    let afterFault = try client.get(.kcds, namespace: "shop", name: "web")
    #expect(RequestedRollout(kcd: afterFault)?.id == "msg_first", "nothing recorded")
    #expect(try JSON.parse(try #require(f.lines.all.last))["level"] == "warn")
    sim.api.faults.clear()
    let retried = f.post(body: Self.body(digest: "sha256:" + String(repeating: "0", count: 64)), id: "msg_third")
    #expect(retried.status == 202, "the sender's retry gets through")
    let afterRetry = try client.get(.kcds, namespace: "shop", name: "web")
    #expect(RequestedRollout(kcd: afterRetry)?.recent == ["msg_first", "msg_second", "msg_third"], "duplicates are remembered too, so a later replay is refused")

    #expect(f.count("ci", 202) == 2)
    #expect(f.count("ci", 200) == 3)
    #expect(f.count("ci", 503) == 1)
  }
}

/// `HookSecrets` re-reads a changed file: keys rotate without a restart, the way Kubernetes
/// updates a mounted Secret (a new directory behind the `..data` symlink) or by a plain rewrite.
@Suite struct HookSecretsRotationTests {
  static let keyA = "whsec_" + Base64.encode(Array("rotation key A, 24 bytes".utf8))
  static let keyB = "whsec_" + Base64.encode(Array("rotation key B, 24 bytes".utf8))

  static func keys(_ s: String...) -> [StandardWebhooks.Key] { s.map { try! StandardWebhooks.Key(secret: $0) } }

  /// Writes `text` the way the kubelet does: a fresh timestamped folder, then an atomic swap of `..data`.
  static func kubeletUpdate(_ directory: String, _ text: String, generation: Int) {
    let folder = "..2024_01_01_00_00_0\(generation)"
    mkdir(directory + "/" + folder, 0o755)
    TestEnvironment.write(text, to: directory + "/" + folder + "/ci")
    unlink(directory + "/..data_tmp")
    symlink(folder, directory + "/..data_tmp")
    rename(directory + "/..data_tmp", directory + "/..data")
    if generation == 1 { symlink("..data/ci", directory + "/ci") }
  }

  @Test("a kubelet-style Secret update is picked up at once")
  func kubeletSwap() {
    let dir = TestEnvironment.makeTemporaryDirectory("kcd-rotate")
    defer { _ = try? Subprocess.run(["rm", "-rf", dir]) }
    let secrets = HookSecrets(directory: dir, recheckInterval: 0)
    #expect(secrets.ciKeys() == nil)
    Self.kubeletUpdate(dir, Self.keyA + "\n", generation: 1)
    #expect(secrets.ciKeys() == Self.keys(Self.keyA))
    #expect(secrets.ciKeys() == Self.keys(Self.keyA), "cached while unchanged")
    Self.kubeletUpdate(dir, Self.keyB + "\n" + Self.keyA + "\n", generation: 2)
    #expect(secrets.ciKeys() == Self.keys(Self.keyB, Self.keyA), "both keys during the rotation")
    Self.kubeletUpdate(dir, Self.keyB + "\n", generation: 3)
    #expect(secrets.ciKeys() == Self.keys(Self.keyB))
  }

  @Test("with the default re-check interval a rotation is picked up within a fraction of a second, with no stat per webhook")
  func recheckInterval() {
    let dir = TestEnvironment.makeTemporaryDirectory("kcd-rotate")
    defer { _ = try? Subprocess.run(["rm", "-rf", dir]) }
    let secrets = HookSecrets(directory: dir)
    #expect(secrets.recheckInterval == 0.25)
    TestEnvironment.write(Self.keyA + "\n", to: dir + "/ci")
    #expect(secrets.ciKeys() == Self.keys(Self.keyA))
    TestEnvironment.write(Self.keyB + "\n", to: dir + "/ci")
    #expect(eventually(timeout: 1, interval: 0.02) { secrets.ciKeys() == Self.keys(Self.keyB) })
    unlink(dir + "/ci")
    #expect(eventually(timeout: 1, interval: 0.02) { secrets.ciKeys() == nil })
  }

  @Test("a rewritten or removed file is picked up; the handler follows")
  func rewrite() {
    let dir = TestEnvironment.makeTemporaryDirectory("kcd-rotate")
    defer { _ = try? Subprocess.run(["rm", "-rf", dir]) }
    let secrets = HookSecrets(directory: dir, recheckInterval: 0)
    TestEnvironment.write(Self.keyA + "\n", to: dir + "/ci")
    #expect(secrets.ciKeys() == Self.keys(Self.keyA))
    TestEnvironment.write("  " + Self.keyB + "  \n\n", to: dir + "/ci")
    #expect(secrets.ciKeys() == Self.keys(Self.keyB))
    #expect(secrets.secrets(for: "ci") == [Self.keyB], "lines are trimmed, blank lines dropped")
    unlink(dir + "/ci")
    #expect(secrets.ciKeys() == nil, "removing the file disables the source")
    #expect(secrets.secrets(for: "quay") == nil)
  }

  @Test("through the handler: the old key stops working and the new one works, without a restart")
  func handlerRotation() {
    let f = HooksHandlerTests.Fixture()
    let body = HooksHandlerTests.body()
    f.writeSecret(Self.keyA + "\n")
    #expect(f.post(body: body, key: Self.keyA).status == 200)
    #expect(f.post(body: body, key: Self.keyB).status == 401)
    HookSecretsRotationTests.replace(f.directory + "/ci", with: Self.keyB + "\n")
    #expect(f.post(body: body, key: Self.keyB).status == 200)
    #expect(f.post(body: body, key: Self.keyA).status == 401)
    unlink(f.directory + "/ci")
    #expect(f.post(body: body, key: Self.keyB).status == 404)
  }

  /// Replaces a file by rename (a new inode), as an atomic writer would.
  static func replace(_ path: String, with text: String) {
    TestEnvironment.write(text, to: path + ".new")
    rename(path + ".new", path)
  }
}
