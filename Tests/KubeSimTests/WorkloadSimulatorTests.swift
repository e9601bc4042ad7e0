import KcdHTTP
import KcdJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import KubeSim

/// The simulated StatefulSet, DaemonSet, Job and CronJob controllers on simulated time, and the
/// facade's control routes that drive them from outside the process.
@Suite struct WorkloadSimulatorTests {
  static let apps = "/apis/apps/v1/namespaces/default"
  static let batch = "/apis/batch/v1/namespaces/default"
  static let smp = "application/strategic-merge-patch+json"

  static func imagePatch(_ image: String) -> JSON {
    ["spec": ["template": ["spec": ["containers": [["name": "app", "image": .string(image)]]]]]]
  }

  static func ready(_ pod: JSON) -> Bool { condition(pod, "Ready")["status"] == "True" }

  static func revisionHash(_ pod: JSON) -> String { pod["metadata"]["labels"]["controller-revision-hash"].stringValue ?? "" }

  func statefulSet(_ h: SimHarness) -> JSON { h.object(BuiltinResources.statefulSets, "db") ?? .null }

  @Test("StatefulSet pods start in order, one at a time; a ControllerRevision holds the $patch: replace template")
  func statefulSetOrderedStart() throws {
    let h = SimHarness()
    let created = h.post(Self.apps + "/statefulsets", Make.statefulSet("db")).json
    #expect(created["spec"]["updateStrategy"] == ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]])
    #expect(created["spec"]["podManagementPolicy"] == "OrderedReady")
    var outOfOrder: [String] = []
    #expect(h.advance(until: { statefulSet(h)["status"]["readyReplicas"] == 3 }, limit: 60) {
      let pods = h.objects(BuiltinResources.pods)
      let names = pods.compactMap { $0["metadata"]["name"].stringValue }
      if names != Array(["db-0", "db-1", "db-2"].prefix(names.count)) || pods.filter({ !Self.ready($0) }).count > 1 {
        outOfOrder.append(names.joined(separator: ","))
      }
    })
    #expect(outOfOrder.isEmpty, "\(outOfOrder)")

    let revisions = h.owned(BuiltinResources.controllerRevisions, by: created)
    let revision = try #require(revisions.first)
    #expect(revisions.count == 1 && revision["revision"] == 1)
    let name = try #require(revision["metadata"]["name"].stringValue)
    #expect(name.hasPrefix("db-") && revision["metadata"]["labels"]["controller-revision-hash"].stringValue.map { name.hasSuffix($0) } == true)
    #expect(revision["metadata"]["labels"]["app"] == "db", "a revision carries the template's labels")
    let data = revision["data"]["spec"]["template"]
    #expect(data["$patch"] == "replace" && data["spec"]["containers"][0]["image"] == "registry.example/db:1.0")
    let status = statefulSet(h)["status"]
    #expect(status == ["observedGeneration": 1, "replicas": 3, "readyReplicas": 3, "availableReplicas": 3, "updatedReplicas": 3,
                       "currentReplicas": 3, "currentRevision": .string(name), "updateRevision": .string(name), "collisionCount": 0])
    for pod in h.objects(BuiltinResources.pods) {
      #expect(Self.revisionHash(pod) == name)
      #expect(pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == pod["metadata"]["name"])
    }
  }

  @Test("a StatefulSet rolling update stops at the partition, then finishes from the highest ordinal down")
  func statefulSetPartition() throws {
    let h = SimHarness()
    _ = h.post(Self.apps + "/statefulsets", Make.statefulSet("db"))
    #expect(h.advance(until: { statefulSet(h)["status"]["readyReplicas"] == 3 }, limit: 60))
    let oldRevision = try #require(statefulSet(h)["status"]["currentRevision"].stringValue)

    var patch = Self.imagePatch("registry.example/db:2.0")
    patch["spec"]["updateStrategy"] = ["rollingUpdate": ["partition": 2]]
    #expect(h.patch(Self.apps + "/statefulsets/db", patch, type: Self.smp).status == 200)
    #expect(h.advance(until: { statefulSet(h)["status"]["updatedReplicas"] == 1 && statefulSet(h)["status"]["readyReplicas"] == 3 }, limit: 60))
    h.advance(until: { false }, limit: 20)
    let partitioned = statefulSet(h)["status"]
    let newRevision = try #require(partitioned["updateRevision"].stringValue)
    #expect(newRevision != oldRevision && partitioned["currentRevision"] == .string(oldRevision))
    #expect(partitioned["updatedReplicas"] == 1 && partitioned["currentReplicas"] == 2 && partitioned["observedGeneration"] == 2)
    let byName = Dictionary(h.objects(BuiltinResources.pods).map { ($0["metadata"]["name"].stringValue ?? "", Self.revisionHash($0)) }, uniquingKeysWith: { a, _ in a })
    #expect(byName == ["db-0": oldRevision, "db-1": oldRevision, "db-2": newRevision])
    #expect(h.objects(BuiltinResources.controllerRevisions).compactMap { $0["revision"].intValue }.sorted() == [1, 2])

    var updateOrder: [String] = []
    #expect(h.patch(Self.apps + "/statefulsets/db", ["spec": ["updateStrategy": ["rollingUpdate": ["partition": 0]]]], type: Self.smp).status == 200)
    #expect(h.advance(until: {
      let s = statefulSet(h)["status"]
      return s["currentRevision"] == s["updateRevision"] && s["updatedReplicas"] == 3 && s["readyReplicas"] == 3
    }, limit: 120) {
      for pod in h.objects(BuiltinResources.pods) where Self.revisionHash(pod) == newRevision {
        let name = pod["metadata"]["name"].stringValue ?? ""
        if !updateOrder.contains(name) && name != "db-2" { updateOrder.append(name) }
      }
    })
    #expect(updateOrder == ["db-1", "db-0"])
    #expect(statefulSet(h)["status"]["currentRevision"] == .string(newRevision) && statefulSet(h)["status"]["currentReplicas"] == 3)
    #expect(h.objects(BuiltinResources.pods).allSatisfy { $0["spec"]["containers"][0]["image"] == "registry.example/db:2.0" })
  }

  @Test("a DaemonSet runs one pod per node and rolls with at most one node unavailable")
  func daemonSet() throws {
    let h = SimHarness(nodes: 3)
    let created = h.post(Self.apps + "/daemonsets", Make.daemonSet("agent")).json
    func ds() -> JSON { h.object(BuiltinResources.daemonSets, "agent") ?? .null }
    #expect(h.advance(until: { ds()["status"]["numberReady"] == 3 }, limit: 60))
    #expect(ds()["status"] == ["observedGeneration": 1, "desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 3,
                               "numberAvailable": 3, "numberMisscheduled": 0, "updatedNumberScheduled": 3])
    #expect(h.objects(BuiltinResources.pods).compactMap { $0["spec"]["nodeName"].stringValue }.sorted() == ["kubesim-node-0", "kubesim-node-1", "kubesim-node-2"])

    #expect(h.patch(Self.apps + "/daemonsets/agent", Self.imagePatch("registry.example/agent:2.0"), type: Self.smp).status == 200)
    var fewestReadyNodes = 3
    #expect(h.advance(until: {
      let s = ds()["status"]
      return s["observedGeneration"] == 2 && s["updatedNumberScheduled"] == 3 && s["numberReady"] == 3
    }, limit: 120) {
      let readyNodes = Set(h.objects(BuiltinResources.pods).filter(Self.ready).compactMap { $0["spec"]["nodeName"].stringValue })
      fewestReadyNodes = min(fewestReadyNodes, readyNodes.count)
    })
    #expect(fewestReadyNodes == 2, "maxUnavailable 1")
    #expect(h.objects(BuiltinResources.pods).count == 3)
    #expect(h.objects(BuiltinResources.pods).allSatisfy { $0["spec"]["containers"][0]["image"] == "registry.example/agent:2.0" })
    #expect(h.owned(BuiltinResources.controllerRevisions, by: created).count == 2)
  }

  @Test("a Job completes after its run time; a job-fail image makes it Failed")
  func jobs() throws {
    let h = SimHarness()
    _ = h.post(Self.batch + "/jobs", Make.job("migrate"))
    _ = h.post(Self.batch + "/jobs", Make.job("broken", image: "registry.example/job-fail:1"))
    func job(_ name: String) -> JSON { h.object(BuiltinResources.jobs, name) ?? .null }
    #expect(h.advance(until: { job("migrate")["status"]["ready"] == 1 }, limit: 10))
    #expect(job("migrate")["status"]["active"] == 1 && condition(job("migrate"), "Complete").isNull)

    #expect(h.advance(until: { condition(job("migrate"), "Complete")["status"] == "True" && condition(job("broken"), "Failed")["status"] == "True" }, limit: 30))
    let done = job("migrate")["status"]
    #expect(done["succeeded"] == 1 && done["active"].isNull && done["ready"] == 0)
    #expect(done["startTime"].stringValue != nil && done["completionTime"].stringValue != nil)
    #expect(done["conditions"].arrayValue?.map { $0["type"] } == ["SuccessCriteriaMet", "Complete"])
    #expect(condition(job("migrate"), "Complete")["reason"] == "CompletionsReached")
    let failed = job("broken")["status"]
    #expect(failed["failed"] == 1 && failed["succeeded"].isNull && failed["conditions"].arrayValue?.map { $0["type"] } == ["FailureTarget", "Failed"])
    #expect(condition(job("broken"), "Failed")["reason"] == "BackoffLimitExceeded")
    let phases = Dictionary(h.objects(BuiltinResources.pods).map { ($0["metadata"]["labels"]["job-name"].stringValue ?? "", $0["status"]["phase"]) }, uniquingKeysWith: { a, _ in a })
    #expect(phases == ["migrate": "Succeeded", "broken": "Failed"])
  }

  @Test("a triggered CronJob creates a Job it owns and reports active, then lastSuccessfulTime")
  func cronJobTrigger() throws {
    let h = SimHarness()
    let cron = h.post(Self.batch + "/cronjobs", Make.cronJob("nightly"))
    #expect(cron.status == 201 && cron["spec"]["concurrencyPolicy"] == "Allow" && cron["spec"]["successfulJobsHistoryLimit"] == 3)
    h.simulator.advance(seconds: 30)
    #expect(h.objects(BuiltinResources.jobs).isEmpty, "Jobs only when a test asks")

    let job = try h.simulator.triggerCronJob(namespace: "default", name: "nightly")
    let jobName = try #require(job["metadata"]["name"].stringValue)
    #expect(jobName.hasPrefix("nightly-") && job["metadata"]["labels"]["cron"] == "nightly")
    #expect(job["metadata"]["ownerReferences"][0]["kind"] == "CronJob" && job["metadata"]["ownerReferences"][0]["uid"] == cron["metadata"]["uid"])
    func cronJob() -> JSON { h.object(BuiltinResources.cronJobs, "nightly") ?? .null }
    #expect(cronJob()["status"]["lastScheduleTime"].stringValue != nil)
    #expect(h.advance(until: { cronJob()["status"]["active"].arrayValue?.count == 1 }, limit: 5))
    #expect(cronJob()["status"]["active"][0]["name"] == .string(jobName) && cronJob()["status"]["active"][0]["kind"] == "Job")

    #expect(h.advance(until: { cronJob()["status"]["active"].isNull && !cronJob()["status"]["lastSuccessfulTime"].isNull }, limit: 30))
    let finished = h.object(BuiltinResources.jobs, jobName) ?? .null
    #expect(cronJob()["status"]["lastSuccessfulTime"] == finished["status"]["completionTime"])

    #expect(throws: StatusError.self) { try h.simulator.triggerCronJob(namespace: "default", name: "missing") }
  }

  @Test("the facade serves plain HTTP and the simulator's control routes")
  func facadeControlRoutes() throws {
    var options = KubeSim.Options(token: "facade-token")
    options.tls = false
    options.simulator.timeScale = 50
    let sim = try KubeSim(options: options)
    defer { sim.stop() }
    #expect(sim.url.hasPrefix("http://127.0.0.1:") && sim.certificateAuthority == nil)
    func call(_ method: String, _ target: String, _ body: JSON? = nil) -> SimHarness.Reply {
      var headers: HTTPHeaders = ["Host": "kubesim", "Authorization": "Bearer facade-token"]
      if body != nil { headers.add("Content-Type", "application/json") }
      return SimHarness.Reply(sim.api.handle(HTTPRequest(method: method, target: target, headers: headers, body: body?.serialized() ?? [])))
    }
    #expect(call("POST", "/apis/batch/v1/namespaces/default/cronjobs", Make.cronJob("nightly")).status == 201)
    let advanced = call("POST", "/_sim/advance", ["seconds": 100])
    #expect(advanced.status == 200 && (advanced["simulatedNow"].doubleValue ?? 0) >= 100)
    #expect(call("POST", "/_sim/advance", ["seconds": -1]).status == 400)
    let triggered = call("POST", "/_sim/cronjobs/trigger", ["namespace": "default", "name": "nightly"])
    #expect(triggered.status == 201 && triggered["kind"] == "Job")
    #expect(call("POST", "/_sim/cronjobs/trigger", ["namespace": "default", "name": "nope"]).status == 404)

    let path = "/apis/batch/v1/namespaces/default/jobs/" + (triggered["metadata"]["name"].stringValue ?? "")
    let deadline = monotonicSeconds() + 20
    while monotonicSeconds() < deadline && condition(call("GET", path).json, "Complete")["status"] != "True" { usleep(20_000) }
    #expect(condition(call("GET", path).json, "Complete")["status"] == "True", "the simulator thread ran the Job")
  }
}
