import KcdCore
import KcdJSON

/// The Job controller: one pod runs for the simulated run time, then the Job is Complete
/// (an image containing `job-fail` makes it Failed); images that never start keep it active.
/// CronJobs spawn Jobs only when a test asks (`/_sim/cronjobs/trigger`).
extension SimContext {
  mutating func runJob(_ key: WorkloadSimulator.WorkKey) {
    let type = BuiltinResources.jobs
    guard let job = store.get(type, namespace: key.namespace, name: key.name), !job.isBeingDeleted else { return }
    let finished = (job["status"]["conditions"].arrayValue ?? []).contains { ($0["type"] == "Complete" || $0["type"] == "Failed") && $0["status"] == "True" }
    if finished || job["spec"]["suspend"].boolValue == true { return }
    var pods = owned(BuiltinResources.pods, namespace: key.namespace, ownerKind: "Job", ownerName: key.name)
    if pods.isEmpty {
      createPod(PodFactory.pod(name: "\(job.name)-\(Identifiers.suffix())", template: job["spec"]["template"], owner: job, ownerKind: "Job",
                               ownerAPIVersion: "batch/v1", node: node(0)))
      pods = owned(BuiltinResources.pods, namespace: key.namespace, ownerKind: "Job", ownerName: key.name)
    }
    guard let pod = pods.first else { return }
    let now = JSON.string(wallNow)
    var status = job["status"]
    if status["startTime"].isNull { status["startTime"] = now }
    let start = podStarts[pod.uid] ?? simulator.podStartTime(pod.uid) ?? simNow
    let script = PodScript(pod: pod)
    let images = (pod["spec"]["containers"].arrayValue ?? []).compactMap { $0["image"].stringValue }
    let fails = images.contains { $0.contains("job-fail") }
    let doneAt = start + options.jobRunSeconds
    if script == .healthy && simNow >= doneAt {
      setPodPhase(pod, fails ? "Failed" : "Succeeded")
      status["active"] = nil
      status.removeValue(forKey: "active")
      status["ready"] = 0
      if fails {
        status["failed"] = 1
        status["conditions"] = [jobCondition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now),
                                jobCondition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now)]
      } else {
        status["succeeded"] = 1
        status["completionTime"] = now
        status["conditions"] = [jobCondition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods", now),
                                jobCondition("Complete", "CompletionsReached", "Reached expected number of succeeded pods", now)]
      }
    } else {
      status["active"] = 1
      status["ready"] = .int(PodScript.isReady(pod) ? 1 : 0)
      if script == .healthy { schedule(key, afterSimSeconds: doneAt - simNow) }
    }
    writeStatus(type, job, status)
  }

  func jobCondition(_ type: String, _ reason: String, _ message: String, _ now: JSON) -> JSON {
    ["type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message), "lastProbeTime": now, "lastTransitionTime": now]
  }

  func setPodPhase(_ pod: JSON, _ phase: String) {
    var status = pod["status"]
    status["phase"] = .string(phase)
    let exit: Int64 = phase == "Succeeded" ? 0 : 1
    status["containerStatuses"] = .array((status["containerStatuses"].arrayValue ?? []).map { c in
      var s = c
      s["ready"] = false
      s["started"] = false
      s["state"] = ["terminated": ["exitCode": .int(exit), "reason": phase == "Succeeded" ? "Completed" : "Error"]]
      return s
    })
    status["conditions"] = .array((status["conditions"].arrayValue ?? []).map { c in
      var x = c
      if c["type"] == "Ready" || c["type"] == "ContainersReady" { x["status"] = "False" }
      return x
    })
    writeStatus(BuiltinResources.pods, pod, status)
  }

  mutating func runCronJob(_ key: WorkloadSimulator.WorkKey) {
    let type = BuiltinResources.cronJobs
    guard let cj = store.get(type, namespace: key.namespace, name: key.name), !cj.isBeingDeleted else { return }
    let jobs = owned(BuiltinResources.jobs, namespace: key.namespace, ownerKind: "CronJob", ownerName: key.name)
    func done(_ j: JSON, _ t: String) -> Bool { (j["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == .string(t) && $0["status"] == "True" } }
    var status = cj["status"]
    let active = jobs.filter { !done($0, "Complete") && !done($0, "Failed") }
    if active.isEmpty { status.removeValue(forKey: "active") } else {
      status["active"] = .array(active.sorted { $0.name < $1.name }.map {
        ["kind": "Job", "namespace": .string($0.namespace), "name": .string($0.name), "uid": .string($0.uid), "apiVersion": "batch/v1",
         "resourceVersion": .string($0.resourceVersion ?? "")]
      })
    }
    if let last = jobs.filter({ done($0, "Complete") }).compactMap({ $0["status"]["completionTime"].stringValue }).max() {
      status["lastSuccessfulTime"] = .string(last)
    }
    writeStatus(type, cj, status)
    for (condition, limitField) in [("Complete", "successfulJobsHistoryLimit"), ("Failed", "failedJobsHistoryLimit")] {
      let limit = Int(cj["spec"][limitField].intValue ?? 3)
      let finished = jobs.filter { done($0, condition) }.sorted { $0.name < $1.name }
      for j in finished.dropLast(limit) { _ = try? store.delete(BuiltinResources.jobs, namespace: j.namespace, name: j.name) }
    }
  }
}

extension WorkloadSimulator {
  /// Starts a Job from a CronJob's template now, as its schedule would.
  public func triggerCronJob(namespace: String, name: String) throws(StatusError) -> JSON {
    let type = BuiltinResources.cronJobs
    guard let cj = store.get(type, namespace: namespace, name: name) else { throw StatusError.notFound(type, name) }
    let stamp = Int64(store.clock() / 60)
    var suffix = String(stamp)
    if store.get(BuiltinResources.jobs, namespace: namespace, name: "\(name)-\(suffix)") != nil { suffix += "-" + Identifiers.suffix() }
    var job: JSON = ["metadata": ["name": .string("\(name)-\(suffix)"), "labels": cj["spec"]["jobTemplate"]["metadata"]["labels"],
                                  "ownerReferences": [PodFactory.ownerReference(kind: "CronJob", apiVersion: "batch/v1", of: cj)]],
                     "spec": cj["spec"]["jobTemplate"]["spec"]]
    if job["metadata"]["labels"].isNull { job["metadata"].removeValue(forKey: "labels") }
    let created = try store.create(BuiltinResources.jobs, namespace: namespace, object: job)
    _ = try? store.modify(type, namespace: namespace, name: name, subresource: "status") { (o: JSON) throws(StatusError) -> JSON in
      var c = o
      c["status"]["lastScheduleTime"] = .string(GoTime(store.clock()).formatted(.rfc3339))
      return c
    }
    return created
  }
}
