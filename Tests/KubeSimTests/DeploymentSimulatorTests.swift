import KcdHTTP
import KcdJSON
import Testing

@testable import KubeSim

/// The simulated Deployment controller, driven round by round on simulated time: ReplicaSets
/// per template, revisions, rolling and Recreate updates, rollback, pause, history limits, the
/// progress deadline and the scripted pod failures kcd's fail-fast logic reads.
@Suite struct DeploymentSimulatorTests {
  static let deployments = "/apis/apps/v1/namespaces/default/deployments"
  static let smp = "application/strategic-merge-patch+json"

  static func setImage(_ h: SimHarness, _ name: String, _ image: String) -> SimHarness.Reply {
    h.patch(deployments + "/" + name, ["spec": ["template": ["spec": ["containers": [["name": "app", "image": .string(image)]]]]]], type: smp)
  }

  /// kubectl's rollout-status rule plus the completion condition.
  static func isComplete(_ d: JSON?) -> Bool {
    guard let d else { return false }
    let want = d["spec"]["replicas"]
    let s = d["status"]
    return s["observedGeneration"] == d["metadata"]["generation"] && s["replicas"] == want && s["updatedReplicas"] == want
      && s["readyReplicas"] == want && s["availableReplicas"] == want && condition(d, "Progressing")["reason"] == "NewReplicaSetAvailable"
  }

  static func revision(_ o: JSON) -> String? { o["metadata"]["annotations"]["deployment.kubernetes.io/revision"].stringValue }

  static func hash(_ o: JSON) -> String { o["metadata"]["labels"]["pod-template-hash"].stringValue ?? "" }

  func deployment(_ h: SimHarness, _ name: String = "web") -> JSON? { h.object(BuiltinResources.deployments, name) }

  @Test("a new Deployment gets a ReplicaSet with pod-template-hash and revision 1 and converges")
  func firstRollout() throws {
    let h = SimHarness()
    let created = h.post(Self.deployments, Make.deployment("web")).json
    #expect(h.advance(until: { Self.isComplete(deployment(h)) }, limit: 60))
    let sets = h.owned(BuiltinResources.replicaSets, by: created)
    let rs = try #require(sets.first)
    #expect(sets.count == 1)
    let hash = Self.hash(rs)
    #expect(hash.count == 10 && rs["metadata"]["name"] == .string("web-\(hash)"))
    #expect(Self.revision(rs) == "1")
    #expect(rs["metadata"]["ownerReferences"] == [["apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                                    "uid": created["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true]])
    #expect(rs["spec"]["selector"]["matchLabels"] == ["app": "web", "pod-template-hash": .string(hash)])
    #expect(rs["spec"]["replicas"] == 3 && rs["status"]["readyReplicas"] == 3 && rs["status"]["availableReplicas"] == 3)

    let d = try #require(deployment(h))
    #expect(Self.revision(d) == "1")
    #expect(d["status"]["observedGeneration"] == 1 && d["status"]["unavailableReplicas"].isNull)
    let available = condition(d, "Available")
    #expect(available["status"] == "True" && available["reason"] == "MinimumReplicasAvailable" && available["message"] == "Deployment has minimum availability.")
    let progressing = condition(d, "Progressing")
    #expect(progressing["status"] == "True" && progressing["message"] == .string("ReplicaSet \"web-\(hash)\" has successfully progressed."))

    let pods = h.owned(BuiltinResources.pods, by: rs)
    #expect(pods.count == 3)
    for pod in pods {
      #expect(Self.hash(pod) == hash && pod["metadata"]["labels"]["app"] == "web")
      #expect(pod["status"]["phase"] == "Running" && condition(pod, "Ready")["status"] == "True")
      #expect(pod["status"]["containerStatuses"][0]["ready"] == true && !pod["status"]["containerStatuses"][0]["state"]["running"].isNull)
    }
  }

  @Test("a template change rolls to a second ReplicaSet within maxSurge/maxUnavailable; rollback reuses the first as revision 3")
  func rollingUpdateAndRollback() throws {
    let h = SimHarness()
    let created = h.post(Self.deployments, Make.deployment("web")).json
    #expect(h.advance(until: { Self.isComplete(deployment(h)) }, limit: 60))
    let first = try #require(h.owned(BuiltinResources.replicaSets, by: created).first)

    let patched = Self.setImage(h, "web", "registry.example/web:2.0")
    #expect(patched.status == 200 && patched["metadata"]["generation"] == 2)
    // Defaults for 3 replicas: maxSurge 25% rounds up to 1, maxUnavailable 25% rounds down to 0.
    var mostPods = 0, fewestReady = Int.max
    let done = h.advance(until: { Self.isComplete(deployment(h)) && deployment(h)?["status"]["observedGeneration"] == 2 }, limit: 120) {
      let pods = h.objects(BuiltinResources.pods)
      mostPods = max(mostPods, pods.count)
      fewestReady = min(fewestReady, pods.filter { condition($0, "Ready")["status"] == "True" }.count)
    }
    #expect(done)
    #expect(mostPods == 4 && fewestReady == 3, "most pods \(mostPods), fewest ready \(fewestReady)")
    let sets = h.owned(BuiltinResources.replicaSets, by: created)
    #expect(sets.count == 2)
    let second = try #require(sets.first { $0["metadata"]["name"] != first["metadata"]["name"] })
    #expect(Self.revision(second) == "2" && deployment(h).flatMap(Self.revision) == "2")
    #expect(h.object(BuiltinResources.replicaSets, first["metadata"]["name"].stringValue ?? "")?["spec"]["replicas"] == 0)
    #expect(h.objects(BuiltinResources.pods).map(Self.hash) == Array(repeating: Self.hash(second), count: 3))
    #expect(condition(deployment(h), "Progressing")["message"] == .string("ReplicaSet \"\(second["metadata"]["name"].stringValue ?? "")\" has successfully progressed."))

    #expect(Self.setImage(h, "web", "registry.example/web:1.0").status == 200)
    #expect(h.advance(until: { Self.isComplete(deployment(h)) && deployment(h)?["status"]["observedGeneration"] == 3 }, limit: 120))
    let afterRollback = h.owned(BuiltinResources.replicaSets, by: created)
    #expect(afterRollback.count == 2, "the old template's ReplicaSet is reused, not duplicated")
    let reused = try #require(afterRollback.first { $0["metadata"]["name"] == first["metadata"]["name"] })
    #expect(Self.revision(reused) == "3" && reused["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1")
    #expect(deployment(h).flatMap(Self.revision) == "3")
    #expect(h.objects(BuiltinResources.pods).allSatisfy { Self.hash($0) == Self.hash(first) })
  }

  @Test("fail-progress pods never start; ProgressDeadlineExceeded only after progressDeadlineSeconds of simulated time")
  func progressDeadline() throws {
    let h = SimHarness()
    var body = Make.deployment("stuck", image: "registry.example/fail-progress:1", replicas: 2)
    body["spec"]["progressDeadlineSeconds"] = 30
    _ = h.post(Self.deployments, body)
    // The deadline counts from the last progress the controller observed: both pods created.
    #expect(h.advance(until: { deployment(h, "stuck")?["status"]["updatedReplicas"] == 2 }, limit: 10))
    h.simulator.advance(seconds: 20)
    let waiting = try #require(deployment(h, "stuck"))
    #expect(condition(waiting, "Progressing")["status"] == "True", "\(condition(waiting, "Progressing"))")
    #expect(condition(waiting, "Progressing")["reason"] != "ProgressDeadlineExceeded")

    h.simulator.advance(seconds: 15)
    let failed = try #require(deployment(h, "stuck"))
    let rsName = try #require(h.objects(BuiltinResources.replicaSets).first?["metadata"]["name"].stringValue)
    #expect(condition(failed, "Progressing")["status"] == "False")
    #expect(condition(failed, "Progressing")["reason"] == "ProgressDeadlineExceeded")
    #expect(condition(failed, "Progressing")["message"] == .string("ReplicaSet \"\(rsName)\" has timed out progressing."))
    #expect(condition(failed, "Available")["status"] == "False" && condition(failed, "Available")["reason"] == "MinimumReplicasUnavailable")
    #expect(failed["status"]["unavailableReplicas"] == 2 && failed["status"]["readyReplicas"].isNull)
    for pod in h.objects(BuiltinResources.pods) {
      #expect(pod["status"]["phase"] == "Pending")
      #expect(pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ContainerCreating")
    }
  }

  @Test("crashloop and pull-error images show the waiting reasons kubelets report")
  func scriptedPodFailures() throws {
    let h = SimHarness()
    _ = h.post(Self.deployments, Make.deployment("crash", image: "registry.example/crashloop:1", replicas: 1))
    _ = h.post(Self.deployments, Make.deployment("pull", image: "registry.example/pull-error:1", replicas: 1))
    func pod(_ app: String) -> JSON? { h.objects(BuiltinResources.pods).first { $0["metadata"]["labels"]["app"] == .string(app) } }
    func waiting(_ app: String) -> JSON { pod(app)?["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] ?? .null }
    #expect(h.advance(until: { waiting("crash") == "CrashLoopBackOff" && waiting("pull") == "ImagePullBackOff" }, limit: 20))

    let crash = try #require(pod("crash"))
    let crashStatus = crash["status"]["containerStatuses"][0]
    #expect(crash["status"]["phase"] == "Running" && condition(crash, "Ready")["status"] == "False")
    #expect(crashStatus["restartCount"] == 3 && crashStatus["ready"] == false && crashStatus["lastState"]["terminated"]["exitCode"] == 1)
    let pull = try #require(pod("pull"))
    #expect(pull["status"]["phase"] == "Pending")
    #expect(pull["status"]["containerStatuses"][0]["state"]["waiting"]["message"] == "Back-off pulling image \"registry.example/pull-error:1\"")
    h.simulator.advance(seconds: 60)
    #expect(deployment(h, "crash")?["status"]["readyReplicas"].isNull == true, "never Ready")
  }

  @Test("Recreate removes every old pod before any new one exists")
  func recreate() throws {
    let h = SimHarness()
    var body = Make.deployment("batch", replicas: 2)
    body["spec"]["strategy"] = ["type": "Recreate"]
    let created = h.post(Self.deployments, body)
    #expect(created["spec"]["strategy"] == ["type": "Recreate"], "no rollingUpdate defaults for Recreate")
    #expect(h.advance(until: { Self.isComplete(deployment(h, "batch")) }, limit: 60))
    let oldHash = try #require(h.objects(BuiltinResources.pods).first.map(Self.hash))
    _ = Self.setImage(h, "batch", "registry.example/web:2.0")
    var mixed = false
    #expect(h.advance(until: { Self.isComplete(deployment(h, "batch")) && deployment(h, "batch")?["status"]["observedGeneration"] == 2 }, limit: 120) {
      let hashes = Set(h.objects(BuiltinResources.pods).map(Self.hash))
      if hashes.count > 1 { mixed = true }
    })
    #expect(!mixed, "old and new pods never run side by side")
    #expect(h.objects(BuiltinResources.pods).allSatisfy { Self.hash($0) != oldHash })
  }

  @Test("a paused Deployment keeps its ReplicaSet through a template change until resumed")
  func paused() throws {
    let h = SimHarness()
    _ = h.post(Self.deployments, Make.deployment("web", replicas: 2))
    #expect(h.advance(until: { Self.isComplete(deployment(h)) }, limit: 60))
    #expect(h.patch(Self.deployments + "/web", ["spec": ["paused": true]]).status == 200)
    _ = Self.setImage(h, "web", "registry.example/web:2.0")
    h.advance(until: { false }, limit: 20)
    let d = try #require(deployment(h))
    #expect(condition(d, "Progressing")["status"] == "Unknown")
    #expect(condition(d, "Progressing")["reason"] == "DeploymentPaused" && condition(d, "Progressing")["message"] == "Deployment is paused")
    #expect(h.objects(BuiltinResources.replicaSets).count == 1 && Self.revision(d) == "1")
    #expect(h.objects(BuiltinResources.pods).allSatisfy { $0["spec"]["containers"][0]["image"] == "registry.example/web:1.0" })

    #expect(h.patch(Self.deployments + "/web", ["spec": ["paused": false]]).status == 200)
    #expect(h.advance(until: { Self.isComplete(deployment(h)) && Self.revision(deployment(h) ?? [:]) == "2" }, limit: 120))
    #expect(h.objects(BuiltinResources.pods).allSatisfy { $0["spec"]["containers"][0]["image"] == "registry.example/web:2.0" })
  }

  @Test("revisionHistoryLimit keeps that many old ReplicaSets")
  func revisionHistoryLimit() {
    let h = SimHarness()
    var body = Make.deployment("web", replicas: 1)
    body["spec"]["revisionHistoryLimit"] = 1
    _ = h.post(Self.deployments, body)
    #expect(h.advance(until: { Self.isComplete(deployment(h)) }, limit: 60))
    for (i, version) in ["2.0", "3.0", "4.0"].enumerated() {
      _ = Self.setImage(h, "web", "registry.example/web:" + version)
      #expect(h.advance(until: { Self.isComplete(deployment(h)) && deployment(h)?["status"]["observedGeneration"] == .int(Int64(i + 2)) }, limit: 120))
    }
    h.simulator.advance(seconds: 1)
    #expect(h.objects(BuiltinResources.replicaSets).compactMap(Self.revision).sorted() == ["3", "4"])
  }
}
