import KcdCore
import KcdHooks
import KcdJSON
import KcdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One tenant (one namespace) must not be able to stop kcd for the others. Each case is
/// reproduced as a hostile tenant would, and a victim KCD in namespace shop still rolls out
/// from a push, while the hostile KCD is reported.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct TenantIsolationTests {
  static func victimRollsOut(_ sim: SimProcess, _ kcd: KcdProcess, version: String = "5bd9e01") -> Bool {
    let digest = randomDigest()
    guard let sent = try? kcd.send(repository: "registry.example/shop/web", tag: "main", digest: digest, version: version), sent.status == 0 else { return false }
    return eventually(timeout: 60) {
      SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "Success" && SpineEndToEndTests.image(sim) == "registry.example/shop/web:\(version)@\(digest)"
    }
  }

  static func status(_ sim: SimProcess, _ namespace: String, _ name: String) -> JSON {
    guard let r = try? sim.kubectl(Kubectl.machine, ["get", "kcd", name, "-n", namespace, "-o", "json"]) else { return .null }
    return (try? JSON.parse(r.stdout))?["status"] ?? .null
  }

  static func ready(_ status: JSON) -> JSON { (status["conditions"].arrayValue ?? []).first { $0["type"] == "Ready" } ?? .null }

  static func eventReasons(_ sim: SimProcess, _ namespace: String) -> [String] {
    guard let r = try? sim.kubectl(Kubectl.machine, ["get", "events", "-n", namespace, "-o", "json"]) else { return [] }
    return ((try? JSON.parse(r.stdout))?["items"].arrayValue ?? []).compactMap { $0["reason"].stringValue }
  }

  /// A KCD of namespace evil as JSON text (kubectl reads JSON as YAML), spec fields merged in.
  static func evilKCD(_ name: String, _ spec: JSON) -> String {
    var s: JSON = ["imageRepo": "registry.example/evil/app", "tag": "main", "selector": ["app": "evil"]]
    for (k, v) in spec.objectValue ?? [:] { s[k] = v }
    let k: JSON = ["apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": .string(name), "namespace": "evil"], "spec": s]
    return k.text
  }

  static func nested(_ depth: Int) -> JSON {
    var v: JSON = "bottom"
    for _ in 0..<depth { v = ["x": v] }
    return v
  }

  static func apply(_ sim: SimProcess, _ text: String) {
    let r = try? sim.kubectl(Kubectl.machine, ["create", "-f", "-"], input: text, timeout: 120)
    #expect(r?.status == 0, "\(String("\(r.map { "\($0)" } ?? "")".suffix(500)))")
  }

  @Test("hostile specs (a 40,000-character versionSyntax, backtracking patterns, 255 levels of nesting, 17 KCDs of 1 MB) neither stop kcd nor the victim")
  func hostileSpecs() throws {
    let sim = try SpineEndToEndTests.cluster()
    Self.apply(sim, #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"evil"}}"#)
    Self.apply(sim, Self.evilKCD("long-syntax", ["versionSyntax": .string(String(repeating: "a", count: 40_000))]))
    // Each follows the longest tag there is, which its own pattern is run against.
    let longA = String(repeating: "a", count: 128), longHex = String(repeating: "0", count: 128)
    Self.apply(sim, Self.evilKCD("backtrack-a", ["tag": .string(longA), "versionSyntax": .string(String(repeating: "a*", count: 100) + "b")]))
    Self.apply(sim, Self.evilKCD("backtrack-hex", ["tag": .string(longHex), "versionSyntax": .string(String(repeating: "[0-9a-f]*", count: 6) + "x")]))
    // container.verify keeps unknown fields (x-kubernetes-preserve-unknown-fields), so the API
    // server stores the nesting as it is.
    Self.apply(sim, Self.evilKCD("deep", ["container": ["name": "app", "verify": [["kind": "Signature", "blob": Self.nested(250)]]]]))
    let megabyte = JSON.string(String(repeating: "m", count: 1 << 20))
    // container.verify keeps unknown fields: each object really is a megabyte.
    for i in 0..<17 { Self.apply(sim, Self.evilKCD("big-\(i)", ["container": ["name": "app", "verify": [["kind": "Image", "blob": megabyte]]]])) }
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(kcd.waitReady(timeout: 60), "kcd becomes ready with every hostile KCD in the cluster: \(kcd.child.errorOutput.suffix(2000))")
    // The backtracking patterns are matched in linear time: pushes for them (without a version,
    // so the tag is tried as one) cannot wedge a worker.
    for tag in [longA, longHex] {
      let sent = try kcd.send(repository: "registry.example/evil/app", tag: tag, digest: randomDigest())
      #expect(sent.stdout.contains("202"), "\(sent)")
    }
    #expect(Self.victimRollsOut(sim, kcd), "\(SpineEndToEndTests.kcdStatus(sim)) \(kcd.child.errorOutput.suffix(2000))")
    #expect(eventually(timeout: 30) { Self.ready(Self.status(sim, "evil", "long-syntax"))["reason"] == "InvalidSpec" })
    let long = Self.ready(Self.status(sim, "evil", "long-syntax"))
    #expect((long["message"].stringValue ?? "").count < 300, "the refusal does not echo the 40,000 characters")
    #expect(eventually(timeout: 30) { Self.ready(Self.status(sim, "evil", "deep"))["reason"] == "InvalidSpec" }, "\(Self.status(sim, "evil", "deep"))")
    #expect(eventually(timeout: 30) { Self.ready(Self.status(sim, "evil", "big-3"))["reason"] == "InvalidSpec" }, "an Image check without an image")
    #expect(eventually(timeout: 30) { Self.eventReasons(sim, "evil").contains("InvalidSpec") })

    // A hostile object arriving through the watch while kcd runs: the cache goes on, and a new
    // KCD created after it is known.
    Self.apply(sim, Self.evilKCD("deeper", ["container": ["name": "app", "verify": [["kind": "Signature", "blob": Self.nested(250)]]]]))
    Self.apply(sim, """
      {"apiVersion":"kcd.dev/v1","kind":"KCD","metadata":{"name":"web-late","namespace":"shop"},
       "spec":{"imageRepo":"registry.example/shop/late","tag":"main","selector":{"app":"web"},"container":{"name":"proxy"}}}
      """)
    #expect(eventually(timeout: 30) { Self.ready(Self.status(sim, "evil", "deeper"))["reason"] == "InvalidSpec" })
    #expect(eventually(timeout: 30) {
      (try? kcd.send(repository: "registry.example/shop/late", tag: "main", digest: randomDigest(), version: "1a2b3c4").stdout.contains("shop/web-late")) == true
    }, "a push for a KCD created after the hostile one is recorded, not answered \"no KCD follows\"")
  }

  @Test("a watch that goes silent is restarted: a KCD created meanwhile gets its push")
  func silentWatch() throws {
    let sim = try SpineEndToEndTests.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, extraArguments: ["--watch-silence-seconds", "2"])
    #expect(kcd.waitReady())
    try sim.control("PUT", "/_sim/watch-fault", #"{"mode":"stall"}"#)
    Self.apply(sim, """
      {"apiVersion":"kcd.dev/v1","kind":"KCD","metadata":{"name":"web-late","namespace":"shop"},
       "spec":{"imageRepo":"registry.example/shop/late","tag":"main","selector":{"app":"web"},"container":{"name":"proxy"}}}
      """)
    let digest = randomDigest()
    #expect(eventually(timeout: 30) {
      (try? kcd.send(repository: "registry.example/shop/late", tag: "main", digest: digest, version: "1a2b3c4").stdout.contains("shop/web-late")) == true
    }, "\(kcd.child.errorOutput.suffix(2000))")
    try sim.control("PUT", "/_sim/watch-fault", #"{"mode":"none"}"#)
    #expect(eventually(timeout: 60) { Self.status(sim, "shop", "web-late")["currStatus"] == "Success" }, "\(Self.status(sim, "shop", "web-late"))")
    #expect(kcd.child.errorOutput.contains("cache lost contact"), "the silence is logged")
  }

  @Test("informer failures show in /readyz, the metrics and the log, and kcd recovers")
  func informerFailures() throws {
    let sim = try SpineEndToEndTests.cluster()
    try sim.control("POST", "/_sim/faults", #"{"verb":"list","resource":"kcds","code":500,"count":3}"#)
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    let readyz = try? Subprocess.run(["curl", "-s", "http://127.0.0.1:\(kcd.apiPort)/readyz"]).stdout
    #expect(readyz?.contains("kcds.kcd.dev: not synced") == true, "\(readyz ?? "")")
    #expect(kcd.waitReady(timeout: 60))
    let metrics = try Subprocess.run(["curl", "-s", "http://127.0.0.1:\(kcd.apiPort)/metrics"]).stdout
    #expect(metrics.contains("kcd_informer_failures_total{resource=\"kcds\"} 3"), "\(metrics)")
    #expect(kcd.child.errorOutput.contains("cache lost contact"))
    #expect(Self.victimRollsOut(sim, kcd))
  }

  @Test("a tenant's registry that never answers does not hold the other tenants' rollouts")
  func slowRegistry() throws {
    // A registry that accepts connections and never answers.
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    listen(fd, 128)
    var bound = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    let host = "127.0.0.1:\(UInt16(bigEndian: bound.sin_port))"

    let sim = try SpineEndToEndTests.cluster()
    Self.apply(sim, #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"evil"}}"#)
    var hostile = ""
    for i in 0..<4 {
      hostile += #"{"apiVersion":"kcd.dev/v1","kind":"KCD","metadata":{"name":"slow-\#(i)","namespace":"evil"},"spec":{"imageRepo":"\#(host)/team/app\#(i)","tag":"prod","selector":{"app":"evil"}}}"#
      hostile += "\n"
    }
    Self.apply(sim, hostile)
    let token = "distribution-token"
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    TestEnvironment.write(token + "\n", to: sim.directory + "/hooks/distribution")
    #expect(kcd.waitReady())
    for i in 0..<4 {
      let event = #"{"events":[{"id":"ev-\#(i)","timestamp":"2026-11-22T01:00:00Z","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(randomDigest())","repository":"team/app\#(i)","tag":"prod"},"request":{"host":"\#(host)"}}]}"#
      let r = try httpRequest(port: kcd.hooksPort, method: "POST", path: "/hooks/distribution",
                              headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/vnd.docker.distribution.events.v1+json"], body: event)
      #expect(r.status == 202, "\(r.text)")
    }
    // Four look-ups now hang on the silent registry; the victim's rollout does not wait for them.
    let started = monotonicSeconds()
    #expect(Self.victimRollsOut(sim, kcd))
    #expect(monotonicSeconds() - started < 25, "the victim finished before the hung look-ups could time out")
  }

  @Test("an API server answering 429 with a long Retry-After gets the webhook answered at once with the same Retry-After")
  func retryAfter() throws {
    let sim = try SpineEndToEndTests.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(kcd.waitReady())
    try sim.control("POST", "/_sim/faults", #"{"verb":"patch","resource":"kcds","code":429,"retryAfterSeconds":30}"#)
    let key = try StandardWebhooksKey.make()
    let started = monotonicSeconds()
    let r = try StandardWebhooksKey.post(port: kcd.hooksPort, key: key, body: #"{"repository":"registry.example/shop/web","tag":"main","digest":"\#(randomDigest())"}"#)
    let took = monotonicSeconds() - started
    #expect(r.status == 429, "\(r.status) \(r.text)")
    #expect(r.header("Retry-After") == "30")
    #expect(took < 8, "answered within the intake budget, not after the API server's wait: \(took) s")
  }

  @Test("one push for 200 KCDs is recorded on all of them in parallel")
  func fanOut() throws {
    let sim = try SpineEndToEndTests.cluster()
    var many = ""
    for i in 0..<200 {
      many += #"{"apiVersion":"kcd.dev/v1","kind":"KCD","metadata":{"name":"fan-\#(i)","namespace":"shop"},"spec":{"imageRepo":"registry.example/shop/fan","tag":"main","selector":{"app":"fan-\#(i)"}}}"#
      many += "\n"
    }
    Self.apply(sim, many)
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(kcd.waitReady())
    let key = try StandardWebhooksKey.make()
    let started = monotonicSeconds()
    let r = try StandardWebhooksKey.post(port: kcd.hooksPort, key: key, body: #"{"repository":"registry.example/shop/fan","tag":"main","digest":"\#(randomDigest())"}"#)
    let took = monotonicSeconds() - started
    #expect(r.status == 202)
    #expect((try JSON.parse(r.text)["accepted"].arrayValue ?? []).count == 200)
    #expect(took < 5, "\(took) s")
  }

  @Test("a transient 500 on the workload list does not consume the event: it rolls out once the cache answers")
  func transientListFailure() throws {
    let sim = try SpineEndToEndTests.cluster()
    try sim.control("POST", "/_sim/faults", #"{"verb":"list","resource":"deployments","code":500,"count":3}"#)
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    let digest = randomDigest()
    #expect(eventually(timeout: 30) { (try? kcd.send(repository: "registry.example/shop/web", tag: "main", digest: digest, version: "7e57ab1"))?.stdout.contains("202") == true })
    #expect(eventually(timeout: 60) { SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "Success" }, "\(SpineEndToEndTests.kcdStatus(sim))")
    #expect(SpineEndToEndTests.image(sim) == "registry.example/shop/web:7e57ab1@\(digest)")
    #expect(!Self.eventReasons(sim, "shop").contains("NoWorkload"))
  }
}

/// Signed CI callbacks with the key `KcdProcess` writes, for tests that read the raw answer.
enum StandardWebhooksKey {
  static func make() throws -> StandardWebhooks.Key { try StandardWebhooks.Key(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") }

  static func post(port: Int, key: StandardWebhooks.Key, body: String) throws -> HTTPTestResponse {
    let id = "msg_\(Int.random(in: 0..<1_000_000_000))"
    let timestamp = String(Int64(Timestamps.now()))
    let signature = StandardWebhooks.signature(key: key, id: id, timestamp: timestamp, body: Array(body.utf8))
    return try httpRequest(port: port, method: "POST", path: "/hooks/ci",
                           headers: ["webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature, "Content-Type": "application/json"],
                           body: body)
  }
}
