import KcdJSON
import KcdTestSupport
import Testing

/// ServiceBlueGreen end to end: `kcd sim` with blue and green Deployments, a live and a
/// verification Service, `kcd run`, kubectl and `kcd hooks send`. The live Service is switched
/// only after the idle side is available (proved by the API server's own resourceVersion
/// order), never to a side that fails, and exactly once across a kill -9.
@Suite(.timeLimit(.minutes(6)))
struct BlueGreenEndToEndTests {
  static let repository = "registry.example/shop/web"

  static func cluster() throws -> SimProcess {
    let sim = try SimProcess()
    var r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: SpineEndToEndTests.crd)
    #expect(r.status == 0, "\(r)")
    r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: SpineEndToEndTests.fixture("bluegreen.yaml"))
    #expect(r.status == 0, "\(r)")
    return sim
  }

  static func jsonpath(_ sim: SimProcess, _ what: String, _ path: String) -> String {
    (try? sim.kubectl(Kubectl.machine, ["get", what, "-n", "shop", "-o", "jsonpath={\(path)}"]).stdout) ?? ""
  }

  static func color(_ sim: SimProcess, _ service: String) -> String { jsonpath(sim, "svc/\(service)", ".spec.selector.color") }
  static func image(_ sim: SimProcess, _ deployment: String) -> String { jsonpath(sim, "deploy/\(deployment)", ".spec.template.spec.containers[0].image") }
  static func replicas(_ sim: SimProcess, _ deployment: String) -> String { jsonpath(sim, "deploy/\(deployment)", ".spec.replicas") }
  static func status(_ sim: SimProcess) -> JSON { SpineEndToEndTests.kcdStatus(sim) }

  /// Accepted PATCHes of an object, in the order the API server answered them.
  static func patches(_ sim: SimProcess, _ path: String) throws -> [JSON] {
    try sim.requestLog().filter { $0["method"] == "PATCH" && $0["path"].stringValue == path && $0["code"] == 200 }
  }

  static let live = "/api/v1/namespaces/shop/services/web"

  /// Every change of a resource after `rv`, as a watch replays it (each with the global
  /// resourceVersion the API server gave it).
  static func replay(_ sim: SimProcess, _ path: String, from rv: String) throws -> [JSON] {
    let r = try Subprocess.run(["curl", "-sk", "-N", "--max-time", "20", "-H", "Authorization: Bearer \(sim.token)",
                                sim.url + path + "?watch=1&resourceVersion=\(rv)&timeoutSeconds=1"])
    return r.stdout.split(separator: "\n").compactMap { try? JSON.parse(String($0)) }.map { $0["object"] }
  }

  static func listVersion(_ sim: SimProcess) throws -> String {
    let r = try Subprocess.run(["curl", "-sk", "-H", "Authorization: Bearer \(sim.token)", sim.url + "/apis/apps/v1/namespaces/shop/deployments"])
    return try JSON.parse(r.stdout)["metadata"]["resourceVersion"].stringValue ?? "0"
  }

  @Test("a push switches the live Service only once the idle side is available, reads it back, scales the old side down; the next push goes the other way")
  func switches() throws {
    let sim = try Self.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(kcd.waitReady())
    let from = try Self.listVersion(sim)
    let digest = randomDigest()
    let pinned = "\(Self.repository):3ae8d1b@\(digest)"
    let sent = try kcd.send(repository: Self.repository, tag: "main", digest: digest, version: "3ae8d1b")
    #expect(sent.status == 0 && sent.stdout.contains("202"), "\(sent)")
    #expect(eventually { Self.status(sim)["currStatus"] == "Success" }, "\(Self.status(sim)) \(kcd.child.errorOutput.suffix(3000))")
    #expect(Self.color(sim, "web") == "green" && Self.color(sim, "web-preview") == "green")
    #expect(Self.image(sim, "web-green") == pinned && Self.replicas(sim, "web-green") == "3", "scaled up to the live side's replicas")
    #expect(Self.image(sim, "web-blue") == "\(Self.repository):1.0" && Self.replicas(sim, "web-blue") == "0", "the old side scaled down, its image untouched")
    let plan = Self.status(sim)["rollout"]["blueGreen"]
    #expect(plan["step"] == "Switched" && plan["live"]["name"] == "web-blue" && plan["idle"]["name"] == "web-green" && plan["switchedAt"].stringValue != nil, "\(plan)")
    #expect(plan["live"]["labels"]["color"] == "blue" && plan["idle"]["replicas"] == 1 && plan["replicas"] == 3, "\(plan)")

    // The API server's order: green available (every replica updated and available, the spec
    // observed) at a lower resourceVersion than the Service's switch.
    let greens = try Self.replay(sim, "/apis/apps/v1/namespaces/shop/deployments", from: from).filter { $0["metadata"]["name"] == "web-green" }
    let available = greens.first { d in
      d[path: ["spec", "template", "spec", "containers"]][0]["image"].stringValue == pinned && d["spec"]["replicas"] == 3
        && d["status"]["availableReplicas"] == 3 && d["status"]["updatedReplicas"] == 3
        && (d["status"]["observedGeneration"].intValue ?? 0) >= (d["metadata"]["generation"].intValue ?? 1)
    }
    let switched = try Self.replay(sim, "/api/v1/namespaces/shop/services", from: from).first { $0["metadata"]["name"] == "web" && $0["spec"]["selector"]["color"] == "green" }
    let availableAt = Int(available?["metadata"]["resourceVersion"].stringValue ?? "") ?? Int.max
    let switchedAt = Int(switched?["metadata"]["resourceVersion"].stringValue ?? "") ?? -1
    #expect(availableAt < switchedAt, "green available at \(availableAt), Service switched at \(switchedAt)")

    // kcd's own order: idle patched, previewed and scaled; then the switch; then the scale-down.
    let writes = try sim.requestLog().filter { $0["method"] == "PATCH" && $0["code"] == 200 && $0["userAgent"].stringValue?.hasPrefix("kcd/") == true }
      .compactMap(\.["path"].stringValue).filter { !$0.contains("/kcds/") && !$0.contains("/events") }
    #expect(writes == ["/apis/apps/v1/namespaces/shop/deployments/web-green", "/apis/apps/v1/namespaces/shop/deployments/web-green",
                       "/api/v1/namespaces/shop/services/web-preview", Self.live, "/apis/apps/v1/namespaces/shop/deployments/web-blue"], "\(writes)")
    let events = try JSON.parse(try sim.kubectl(Kubectl.machine, ["get", "events", "-n", "shop", "-o", "json"]).stdout)["items"].arrayValue ?? []
    let reasons = Set(events.compactMap { $0["reason"].stringValue })
    for reason in ["BlueGreenPlanned", "BlueGreenIdlePatched", "BlueGreenIdleScaled", "BlueGreenVerificationPointed", "BlueGreenIdleAvailable",
                   "BlueGreenSwitched", "BlueGreenSwitchConfirmed", "BlueGreenScaledDown", "RolloutSucceeded"] {
      #expect(reasons.contains(reason), "\(reason) in \(reasons.sorted())")
    }
    let kinds = Set(events.filter { ($0["reason"].stringValue ?? "").hasPrefix("BlueGreen") }.compactMap { $0["involvedObject"]["kind"].stringValue })
    #expect(kinds == ["KCD", "Deployment", "Service"], "\(kinds)")

    // Green is live now: the next push goes to blue.
    let next = randomDigest()
    #expect(try kcd.send(repository: Self.repository, tag: "main", digest: next, version: "5bd9e01").status == 0)
    #expect(eventually { Self.status(sim)["currDigest"].stringValue == next && Self.status(sim)["currStatus"] == "Success" }, "\(Self.status(sim))")
    #expect(Self.color(sim, "web") == "blue" && Self.replicas(sim, "web-blue") == "3" && Self.replicas(sim, "web-green") == "0")
    #expect(Self.image(sim, "web-blue") == "\(Self.repository):5bd9e01@\(next)" && Self.image(sim, "web-green") == pinned)
    let both = try Self.patches(sim, Self.live)
    #expect(both.count == 2)
  }

  @Test("a push of an image that never becomes available is never switched to; the idle side gets its image and replicas back")
  func neverSwitchedToFailure() throws {
    let sim = try Self.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(kcd.waitReady())
    let bad = randomDigest()
    #expect(try kcd.send(repository: Self.repository, tag: "main", digest: bad, version: "fail-progress").status == 0)
    #expect(eventually { Self.status(sim)["currStatus"] == "RolledBack" }, "\(Self.status(sim)) \(kcd.child.errorOutput.suffix(3000))")
    let status = Self.status(sim)
    #expect(status["failedDigest"].stringValue == bad)
    #expect((status["message"].stringValue ?? "").contains("Service web was not switched"), "\(status["message"])")
    let switches = try Self.patches(sim, Self.live)
    #expect(Self.color(sim, "web") == "blue" && switches.isEmpty, "never switched")
    #expect(Self.image(sim, "web-green") == "\(Self.repository):1.0" && Self.replicas(sim, "web-green") == "1", "the idle side as it was")
    let live = try Self.patches(sim, "/apis/apps/v1/namespaces/shop/deployments/web-blue")
    #expect(live.isEmpty, "the live side untouched")
  }

  @Test("kill -9 after the switch was decided, then a restart: one switch in all", arguments: ["the dead kcd's patch never landed", "it landed before kcd died"])
  func crashAtTheSwitch(_ how: String) throws {
    let sim = try Self.cluster()
    // The switch fails until kcd is dead, so the kill lands between the intent and the patch.
    try sim.control("POST", "/_sim/faults", #"{"verb":"patch","resource":"services","name":"web","code":500}"#)
    let first = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(first.waitReady())
    let digest = randomDigest()
    #expect(try first.send(repository: Self.repository, tag: "main", digest: digest, version: "c0ffee1").status == 0)
    #expect(eventually {
      let tried = (try? sim.requestLog().contains { $0["method"] == "PATCH" && $0["path"].stringValue == Self.live && $0["code"] == 500 }) ?? false
      return tried && Self.status(sim)["rollout"]["blueGreen"]["step"] == "Switching"
    }, "\(Self.status(sim)) \(first.child.errorOutput.suffix(3000))")
    first.crash()
    try sim.control("DELETE", "/_sim/faults")
    if how.hasPrefix("it landed") {
      // What a request the dead kcd sent would do if the API server applied it after all.
      let r = try sim.kubectl(Kubectl.machine, ["patch", "svc", "web", "-n", "shop", "--type", "merge", "-p", #"{"spec":{"selector":{"color":"green"}}}"#])
      #expect(r.status == 0, "\(r)")
    }
    let second = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    #expect(eventually { Self.status(sim)["currStatus"] == "Success" }, "\(Self.status(sim)) \(second.child.errorOutput.suffix(3000))")
    #expect(Self.color(sim, "web") == "green" && Self.replicas(sim, "web-blue") == "0")
    let switches = try Self.patches(sim, Self.live)
    #expect(switches.count == 1, "\(switches)")
    let byKcd = switches.filter { $0["userAgent"].stringValue?.hasPrefix("kcd/") == true }.count
    #expect(byKcd == (how.hasPrefix("it landed") ? 0 : 1), "\(switches)")
  }
}
