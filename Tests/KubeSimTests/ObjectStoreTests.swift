import KcdHTTP
import KcdJSON
import Testing

@testable import KubeSim

/// Creating and updating objects through the API in process: the apiserver's system metadata,
/// defaults, error Status objects, compare-and-swap, the status split and generation rules.
@Suite struct ObjectStoreTests {
  static let deployments = "/apis/apps/v1/namespaces/default/deployments"
  static let configMaps = "/api/v1/namespaces/default/configmaps"

  @Test("create fills uid, creationTimestamp, resourceVersion, generation 1 and the defaults")
  func createFillsSystemFields() throws {
    let h = SimHarness()
    let r = h.post(Self.deployments, Make.deployment("web"))
    #expect(r.status == 201)
    let o = r.json
    #expect(o["kind"] == "Deployment" && o["apiVersion"] == "apps/v1")
    let uid = try #require(o["metadata"]["uid"].stringValue)
    let chars = Array(uid)
    #expect(chars.count == 36 && chars[8] == "-" && chars[13] == "-" && chars[14] == "4" && chars[18] == "-" && chars[23] == "-")
    let created = try #require(o["metadata"]["creationTimestamp"].stringValue)
    #expect(created.count == 20 && created.hasSuffix("Z") && Timestamps.parse(created) != nil, "whole-second RFC 3339: \(created)")
    #expect(o["metadata"]["resourceVersion"] == .string(String(h.store.currentRevision)))
    #expect(o["metadata"]["generation"] == 1)
    #expect(o["metadata"]["namespace"] == "default")
    #expect(o["spec"]["strategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]])
    #expect(o["spec"]["revisionHistoryLimit"] == 10 && o["spec"]["progressDeadlineSeconds"] == 600)
    #expect(o["spec"]["template"]["spec"]["restartPolicy"] == "Always")
    #expect(o["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent")
    #expect(h.get(Self.deployments + "/web").json == o, "GET returns what create returned")

    // Kinds without a spec have no generation.
    let cm = h.post(Self.configMaps, Make.configMap("settings"))
    #expect(cm.status == 201 && cm["metadata"]["generation"].isNull)
  }

  @Test("generateName gets five characters of the apiserver alphabet")
  func generateName() throws {
    let h = SimHarness()
    let r = h.post(Self.configMaps, ["metadata": ["generateName": "run-"], "data": ["a": "b"]])
    #expect(r.status == 201)
    let name = try #require(r["metadata"]["name"].stringValue)
    #expect(name.hasPrefix("run-") && name.count == 9)
    #expect(name.dropFirst(4).allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    #expect(h.get(Self.configMaps + "/" + name).status == 200)

    let missing = h.post(Self.configMaps, ["metadata": [:], "data": ["a": "b"]])
    #expect(missing.status == 422)
    #expect(missing["message"] == "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required")
  }

  @Test("a second create answers 409 AlreadyExists with the real Status")
  func alreadyExists() {
    let h = SimHarness()
    #expect(h.post(Self.deployments, Make.deployment("web")).status == 201)
    let r = h.post(Self.deployments, Make.deployment("web"))
    #expect(r.status == 409)
    #expect(r.json == [
      "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
      "message": "deployments.apps \"web\" already exists", "reason": "AlreadyExists",
      "details": ["name": "web", "group": "apps", "kind": "deployments"], "code": 409,
    ])
    let core = h.post(Self.configMaps, Make.configMap("c"))
    #expect(core.status == 201)
    let again = h.post(Self.configMaps, Make.configMap("c"))
    #expect(again["message"] == "configmaps \"c\" already exists" && again["details"] == ["name": "c", "kind": "configmaps"])
  }

  @Test("invalid names are 422 Invalid with one cause on metadata.name")
  func invalidNames() throws {
    let h = SimHarness()
    let r = h.post(Self.configMaps, Make.configMap("Bad_Name"))
    #expect(r.status == 422 && r["reason"] == "Invalid")
    #expect(r["details"]["kind"] == "ConfigMap" && r["details"]["name"] == "Bad_Name" && r["details"]["group"].isNull)
    let causes = try #require(r["details"]["causes"].arrayValue)
    #expect(causes.count == 1)
    #expect(causes.first?["field"] == "metadata.name" && causes.first?["reason"] == "FieldValueInvalid")
    let subdomain = "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    #expect(causes.first?["message"].stringValue?.hasPrefix(subdomain) == true)
    #expect(r["message"].stringValue?.hasPrefix("ConfigMap \"Bad_Name\" is invalid: metadata.name: " + subdomain) == true)

    // Namespaces are DNS labels: dots are not allowed there.
    let ns = h.post("/api/v1/namespaces", ["metadata": ["name": "team.a"]])
    #expect(ns.status == 422)
    #expect(ns["details"]["causes"][0]["message"].stringValue?.hasPrefix("Invalid value: \"team.a\": a lowercase RFC 1123 label must consist of") == true)
    #expect(h.post(Self.configMaps, Make.configMap("dotted.name-1")).status == 201)
  }

  @Test("writes into a missing namespace are 404, a body namespace other than the URL's is 400")
  func namespaceChecks() {
    let h = SimHarness()
    let missing = h.post("/api/v1/namespaces/nope/configmaps", Make.configMap("c"))
    #expect(missing.status == 404)
    #expect(missing["message"] == "namespaces \"nope\" not found" && missing["details"] == ["name": "nope", "kind": "namespaces"])
    var body = Make.configMap("c")
    body["metadata"]["namespace"] = "other"
    let mismatch = h.post(Self.configMaps, body)
    #expect(mismatch.status == 400 && mismatch["reason"] == "BadRequest")
    #expect(mismatch["message"] == "the namespace of the provided object does not match the namespace sent on the request")
  }

  @Test("PUT is compare-and-swap on resourceVersion; 409 Conflict carries the real message")
  func updateConflict() throws {
    let h = SimHarness()
    let created = h.post(Self.deployments, Make.deployment("web")).json
    var changed = created
    changed["spec"]["replicas"] = 5
    let first = h.put(Self.deployments + "/web", changed)
    #expect(first.status == 200 && first["spec"]["replicas"] == 5)
    #expect(first["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"])
    let stale = h.put(Self.deployments + "/web", changed)
    #expect(stale.status == 409)
    #expect(stale.json == [
      "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
      "message": "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again",
      "reason": "Conflict", "details": ["name": "web", "group": "apps", "kind": "deployments"], "code": 409,
    ])
    // Built-ins accept a PUT without resourceVersion (unconditional update).
    var unconditional = changed
    unconditional["metadata"].removeValue(forKey: "resourceVersion")
    unconditional["spec"]["replicas"] = 2
    #expect(h.put(Self.deployments + "/web", unconditional).status == 200)
    #expect(h.put(Self.deployments + "/nope", Make.deployment("nope")).status == 404)
  }

  @Test("a custom resource PUT without resourceVersion is 422")
  func customResourcePutNeedsVersion() {
    let h = SimHarness()
    #expect(h.post(Make.crdPath, Make.crd()).status == 201)
    let path = "/apis/example.com/v1/namespaces/default/widgets"
    #expect(h.post(path, Make.customResource("blue")).status == 201)
    let r = h.put(path + "/blue", Make.customResource("blue", spec: ["color": "red"]))
    #expect(r.status == 422)
    #expect(r["message"] == "Widget.example.com \"blue\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update")
    #expect(r["details"] == ["name": "blue", "group": "example.com", "kind": "Widget", "causes": [
      ["reason": "FieldValueInvalid", "message": "Invalid value: 0x0: must be specified for an update", "field": "metadata.resourceVersion"],
    ]])
    #expect(h.get(path + "/blue")["spec"]["color"] == "blue")
  }

  /// kube-apiserver drops `null` for a declared field that is neither nullable nor defaulted
  /// before it validates (apiextensions-apiserver `pkg/apiserver/schema/defaulting/prunenulls.go`,
  /// `PruneNonNullableNullsWithoutDefaults`), so a client that serialises an unset optional
  /// object as `null` — as the Python client and many Go structs do — gets 200, not 422.
  @Test("null for an optional non-nullable field is dropped, a defaulted one gets its default")
  func nonNullableNullsArePruned() {
    let h = SimHarness()
    #expect(h.post(Make.crdPath, Make.crd()).status == 201)
    let path = "/apis/example.com/v1/namespaces/default/widgets"
    let created = h.post(path, Make.customResource("n", spec: ["color": .null, "size": .null]))
    #expect(created.status == 201)
    #expect(created["spec"] == ["size": 1], "color removed, size defaulted")
    var updated = created.json
    updated["spec"] = ["color": .null, "size": 4]
    let put = h.put(path + "/n", updated)
    #expect(put.status == 200)
    #expect(put["spec"] == ["size": 4])
  }

  @Test("the main resource ignores status and /status ignores everything else")
  func statusSplit() {
    let h = SimHarness()
    let created = h.post(Self.deployments, Make.deployment("web")).json
    #expect(created["status"].isNull)
    var withStatus = created
    withStatus["status"] = ["replicas": 7]
    let main = h.put(Self.deployments + "/web", withStatus)
    #expect(main.status == 200 && main["status"].isNull)
    #expect(main["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"], "a status-only change to the main resource is a no-op")

    var viaStatus = created
    viaStatus["spec"]["replicas"] = 9
    viaStatus["metadata"]["labels"] = ["sneaky": "yes"]
    viaStatus["status"] = ["observedGeneration": 1, "replicas": 3]
    let status = h.put(Self.deployments + "/web/status", viaStatus)
    #expect(status.status == 200)
    #expect(status["status"] == ["observedGeneration": 1, "replicas": 3])
    #expect(status["spec"]["replicas"] == 3 && status["metadata"]["labels"].isNull)
    #expect(status["metadata"]["generation"] == 1)
    #expect(status["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"])

    // Custom resources with the status subresource follow the same split.
    #expect(h.post(Make.crdPath, Make.crd()).status == 201)
    let path = "/apis/example.com/v1/namespaces/default/widgets"
    var widget = Make.customResource("w")
    widget["status"] = ["phase": "Ready"]
    let cr = h.post(path, widget)
    #expect(cr.status == 201 && cr["status"].isNull && cr["spec"]["size"] == 1, "status dropped, schema default applied")
    let crStatus = h.patch(path + "/w/status", ["spec": ["color": "red"], "status": ["phase": "Ready"]])
    #expect(crStatus["status"] == ["phase": "Ready"] && crStatus["spec"]["color"] == "blue")
  }

  @Test("generation counts spec changes only; a no-op update keeps resourceVersion")
  func generationAndNoOp() throws {
    let h = SimHarness()
    _ = h.post(Self.deployments, Make.deployment("web"))
    let labelled = h.patch(Self.deployments + "/web", ["metadata": ["labels": ["team": "a"]]])
    #expect(labelled["metadata"]["generation"] == 1)
    let scaled = h.patch(Self.deployments + "/web", ["spec": ["replicas": 4]])
    #expect(scaled["metadata"]["generation"] == 2)

    let revision = h.store.currentRevision
    let same = h.put(Self.deployments + "/web", scaled.json)
    #expect(same.status == 200 && same["metadata"]["resourceVersion"] == scaled["metadata"]["resourceVersion"])
    #expect(h.store.currentRevision == revision)
    #expect(try #require(h.store.changes(after: revision)).events.isEmpty, "no watch event for a no-op")

    // A custom resource without the status subresource: any non-metadata change counts.
    #expect(h.post(Make.crdPath, Make.crd(plural: "gadgets", kind: "Gadget", statusSubresource: false)).status == 201)
    let path = "/apis/example.com/v1/namespaces/default/gadgets"
    #expect(h.post(path, Make.customResource("g", kind: "Gadget"))["metadata"]["generation"] == 1)
    #expect(h.patch(path + "/g", ["status": ["phase": "Ready"]])["metadata"]["generation"] == 2)
    #expect(h.patch(path + "/g", ["metadata": ["annotations": ["a": "b"]]])["metadata"]["generation"] == 2)
  }

  @Test("selectors are immutable and a Job's template is too")
  func immutableFields() throws {
    let h = SimHarness()
    let created = h.post(Self.deployments, Make.deployment("web")).json
    var moved = created
    moved["spec"]["selector"] = ["matchLabels": ["app": "other"]]
    moved["spec"]["template"]["metadata"]["labels"] = ["app": "other"]
    let r = h.put(Self.deployments + "/web", moved)
    #expect(r.status == 422 && r["reason"] == "Invalid")
    let message = try #require(r["message"].stringValue)
    #expect(message.hasPrefix("Deployment.apps \"web\" is invalid: spec.selector: Invalid value: ") && message.hasSuffix(": field is immutable"))
    #expect(r["details"]["kind"] == "Deployment" && r["details"]["group"] == "apps")
    #expect(r["details"]["causes"][0]["field"] == "spec.selector" && r["details"]["causes"][0]["reason"] == "FieldValueInvalid")

    let jobs = "/apis/batch/v1/namespaces/default/jobs"
    let job = h.post(jobs, Make.job("migrate"))
    #expect(job.status == 201)
    #expect(job["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"] == job["metadata"]["uid"])
    let patched = h.patch(jobs + "/migrate", ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "registry.example/migrate:2.0"]]]]]])
    #expect(patched.status == 422)
    let jobMessage = try #require(patched["message"].stringValue)
    #expect(jobMessage.hasPrefix("Job.batch \"migrate\" is invalid: spec.template: Invalid value: ") && jobMessage.hasSuffix(": field is immutable"))
    #expect(patched["details"]["causes"].arrayValue?.map { $0["field"] } == ["spec.template"])
    #expect(h.patch(jobs + "/migrate", ["metadata": ["labels": ["ok": "yes"]]]).status == 200, "metadata stays mutable")
  }

  @Test("Lease times must be MicroTime: 400 with the apiserver's decode message")
  func leaseMicroTime() {
    let h = SimHarness()
    let leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
    func lease(_ renew: String) -> JSON {
      ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "kcd"],
       "spec": ["holderIdentity": "a", "leaseDurationSeconds": 15, "renewTime": .string(renew)]]
    }
    let seconds = h.post(leases, lease("2024-05-01T10:00:00Z"))
    #expect(seconds.status == 400 && seconds["reason"] == "BadRequest")
    #expect(seconds["message"] == "Lease in version \"v1\" cannot be handled as a Lease: parsing time \"2024-05-01T10:00:00Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"Z\" as \".000000\"")
    let millis = h.post(leases, lease("2024-05-01T10:00:00.491Z"))
    #expect(millis["message"] == "Lease in version \"v1\" cannot be handled as a Lease: parsing time \"2024-05-01T10:00:00.491Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \".491Z\" as \".000000\"")
    let ok = h.post(leases, lease("2024-05-01T10:00:00.123456Z"))
    #expect(ok.status == 201 && ok["spec"]["renewTime"] == "2024-05-01T10:00:00.123456Z")
  }

  @Test("a core Event whose involvedObject lives elsewhere is 422")
  func eventNamespaceMismatch() {
    let h = SimHarness()
    let event: JSON = [
      "metadata": ["name": "web.17c3a1b2"], "reason": "Started", "message": "m", "type": "Normal",
      "involvedObject": ["kind": "Deployment", "name": "web", "namespace": "other"],
    ]
    let r = h.post("/api/v1/namespaces/default/events", event)
    #expect(r.status == 422)
    #expect(r["message"] == "Event \"web.17c3a1b2\" is invalid: involvedObject.namespace: Invalid value: \"other\": does not match event.namespace")
    var good = event
    good["involvedObject"]["namespace"] = "default"
    #expect(h.post("/api/v1/namespaces/default/events", good).status == 201)
  }

  @Test("dryRun=All validates and answers but persists nothing")
  func dryRun() throws {
    let h = SimHarness()
    let revision = h.store.currentRevision
    let created = h.post(Self.configMaps + "?dryRun=All", Make.configMap("ghost"))
    #expect(created.status == 201 && created["metadata"]["name"] == "ghost" && created["metadata"]["uid"].stringValue != nil)
    #expect(h.get(Self.configMaps + "/ghost").status == 404)
    #expect(h.post(Self.configMaps + "?dryRun=All", Make.configMap("Bad_Name")).status == 422, "still validated")

    let real = h.post(Self.configMaps, Make.configMap("real")).json
    let afterCreate = h.store.currentRevision
    var changed = real
    changed["data"] = ["mode": "two"]
    #expect(h.put(Self.configMaps + "/real?dryRun=All", changed)["data"]["mode"] == "two")
    #expect(h.call("DELETE", Self.configMaps + "/real?dryRun=All").status == 200)
    #expect(h.get(Self.configMaps + "/real")["data"]["mode"] == "one")
    #expect(h.store.currentRevision == afterCreate && afterCreate == revision + 1)
    #expect(try #require(h.store.changes(after: afterCreate)).events.isEmpty)
  }
}
