import KcdHTTP
import KcdJSON
import Testing

@testable import KubeSim

/// Deletion as the apiserver and its controllers do it: finalizers and deletionTimestamp,
/// garbage collection by ownerReferences, and namespaces that terminate and take their contents.
@Suite struct DeletionTests {
  static let configMaps = "/api/v1/namespaces/default/configmaps"

  static func owned(by owner: JSON, _ name: String) -> JSON {
    var o = Make.configMap(name)
    o["metadata"]["ownerReferences"] = [["apiVersion": "v1", "kind": "ConfigMap", "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"]]]
    return o
  }

  @Test("a delete without finalizers answers 200 Status Success and records DELETED at a new revision")
  func plainDelete() throws {
    let h = SimHarness()
    let created = h.post(Self.configMaps, Make.configMap("c")).json
    let r = h.delete(Self.configMaps + "/c", ["propagationPolicy": "Background"])
    #expect(r.status == 200)
    #expect(r.json == ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                       "details": ["name": "c", "kind": "configmaps", "uid": created["metadata"]["uid"]]])
    #expect(h.get(Self.configMaps + "/c").status == 404)
    let missing = h.delete(Self.configMaps + "/c")
    #expect(missing.status == 404 && missing["message"] == "configmaps \"c\" not found")
    let last = try #require(h.store.changes(after: 0)?.events.last)
    #expect(last.type == "DELETED" && last.resourceVersion == h.store.currentRevision)
    #expect(last.object["metadata"]["resourceVersion"] == .string(String(h.store.currentRevision)))
  }

  @Test("finalizers: 202 with deletionTimestamp, gone with DELETED when the last one is removed")
  func finalizers() throws {
    let h = SimHarness()
    var body = Make.configMap("held")
    body["metadata"]["finalizers"] = ["example.com/a", "example.com/b"]
    #expect(h.post(Self.configMaps, body).status == 201)
    let pending = h.delete(Self.configMaps + "/held")
    #expect(pending.status == 202 && pending["kind"] == "ConfigMap")
    #expect(pending["metadata"]["deletionTimestamp"].stringValue != nil && pending["metadata"]["deletionGracePeriodSeconds"] == 0)
    #expect(h.get(Self.configMaps + "/held")["metadata"]["deletionTimestamp"] == pending["metadata"]["deletionTimestamp"])

    var one = pending.json
    one["metadata"]["finalizers"] = ["example.com/b"]
    let stillThere = h.put(Self.configMaps + "/held", one)
    #expect(stillThere.status == 200 && stillThere["metadata"]["finalizers"] == ["example.com/b"])
    #expect(h.get(Self.configMaps + "/held").status == 200)

    let before = h.store.currentRevision
    let gone = h.patch(Self.configMaps + "/held", ["metadata": ["finalizers": nil]])
    #expect(gone.status == 200)
    #expect(h.get(Self.configMaps + "/held").status == 404)
    let events = try #require(h.store.changes(after: before)).events
    #expect(events.map(\.type) == ["DELETED"])
    #expect(events.first?.object["metadata"]["name"] == "held" && events.first?.resourceVersion == before + 1)
  }

  @Test("no new finalizers while an object is being deleted")
  func noNewFinalizersWhileDeleting() {
    let h = SimHarness()
    var body = Make.configMap("held")
    body["metadata"]["finalizers"] = ["example.com/a"]
    _ = h.post(Self.configMaps, body)
    let pending = h.delete(Self.configMaps + "/held").json
    var more = pending
    more["metadata"]["finalizers"] = ["example.com/a", "example.com/b"]
    let r = h.put(Self.configMaps + "/held", more)
    #expect(r.status == 422)
    #expect(r["message"] == "ConfigMap \"held\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/b\"}")
    #expect(r["details"]["causes"][0]["reason"] == "FieldValueForbidden" && r["details"]["causes"][0]["field"] == "metadata.finalizers")
  }

  @Test("background propagation removes dependents; Orphan strips their ownerReferences")
  func garbageCollection() throws {
    let h = SimHarness()
    let owner = h.post(Self.configMaps, Make.configMap("owner")).json
    #expect(h.post(Self.configMaps, Self.owned(by: owner, "child")).status == 201)
    let grandchildOwner = h.get(Self.configMaps + "/child").json
    #expect(h.post(Self.configMaps, Self.owned(by: grandchildOwner, "grandchild")).status == 201)
    #expect(h.post(Self.configMaps, Make.configMap("bystander")).status == 201)
    #expect(h.delete(Self.configMaps + "/owner", ["propagationPolicy": "Background"]).status == 200)
    #expect(h.get(Self.configMaps + "/child").status == 404)
    #expect(h.get(Self.configMaps + "/grandchild").status == 404)
    #expect(h.get(Self.configMaps + "/bystander").status == 200)

    let keeper = h.post(Self.configMaps, Make.configMap("keeper")).json
    #expect(h.post(Self.configMaps, Self.owned(by: keeper, "orphan")).status == 201)
    #expect(h.call("DELETE", Self.configMaps + "/keeper?propagationPolicy=Orphan").status == 200)
    let orphan = h.get(Self.configMaps + "/orphan")
    #expect(orphan.status == 200)
    #expect(orphan["metadata"]["ownerReferences"].isNull, "an empty ownerReferences list is omitted, as the apiserver does")
  }

  @Test("an owner that waited for its finalizers still takes its dependents when it goes")
  func finalizedOwnerCollectsDependents() {
    let h = SimHarness()
    var body = Make.configMap("owner")
    body["metadata"]["finalizers"] = ["example.com/cleanup"]
    let owner = h.post(Self.configMaps, body).json
    #expect(h.post(Self.configMaps, Self.owned(by: owner, "child")).status == 201)
    #expect(h.delete(Self.configMaps + "/owner").status == 202)
    #expect(h.get(Self.configMaps + "/child").status == 200, "dependents wait while the owner waits")
    #expect(h.patch(Self.configMaps + "/owner", ["metadata": ["finalizers": nil]]).status == 200)
    #expect(h.get(Self.configMaps + "/owner").status == 404)
    #expect(h.get(Self.configMaps + "/child").status == 404)
  }

  @Test("Orphan on an owner held by a finalizer orphans at once; its later removal leaves them")
  func orphanWhileFinalizing() {
    let h = SimHarness()
    var body = Make.configMap("owner")
    body["metadata"]["finalizers"] = ["example.com/cleanup"]
    let owner = h.post(Self.configMaps, body).json
    #expect(h.post(Self.configMaps, Self.owned(by: owner, "child")).status == 201)
    #expect(h.call("DELETE", Self.configMaps + "/owner?propagationPolicy=Orphan").status == 202)
    #expect(h.get(Self.configMaps + "/child")["metadata"]["ownerReferences"].isNull)
    #expect(h.patch(Self.configMaps + "/owner", ["metadata": ["finalizers": nil]]).status == 200)
    #expect(h.get(Self.configMaps + "/owner").status == 404)
    #expect(h.get(Self.configMaps + "/child").status == 200)
  }

  @Test("a Deployment's delete takes its ReplicaSets and pods")
  func deploymentCascade() {
    let h = SimHarness()
    #expect(h.post("/apis/apps/v1/namespaces/default/deployments", Make.deployment("web", replicas: 2)).status == 201)
    #expect(h.advance(until: { h.objects(BuiltinResources.pods).count == 2 }))
    #expect(h.objects(BuiltinResources.replicaSets).count == 1)
    #expect(h.delete("/apis/apps/v1/namespaces/default/deployments/web", ["propagationPolicy": "Background"]).status == 200)
    #expect(h.objects(BuiltinResources.replicaSets).isEmpty && h.objects(BuiltinResources.pods).isEmpty)
  }

  @Test("a deleted namespace terminates, refuses new content, then goes with its contents")
  func namespaceTermination() throws {
    let h = SimHarness()
    let ns = h.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "doomed"]])
    #expect(ns.status == 201 && ns["status"]["phase"] == "Active" && ns["spec"]["finalizers"] == ["kubernetes"])
    #expect(h.post("/api/v1/namespaces/doomed/configmaps", Make.configMap("inside")).status == 201)

    let r = h.delete("/api/v1/namespaces/doomed")
    #expect(r.status == 200 && r["kind"] == "Namespace")
    #expect(r["status"]["phase"] == "Terminating" && r["metadata"]["deletionTimestamp"].stringValue != nil)
    let refused = h.post("/api/v1/namespaces/doomed/configmaps", Make.configMap("late"))
    #expect(refused.status == 403 && refused["reason"] == "Forbidden")
    #expect(refused["message"] == "configmaps \"late\" is forbidden: unable to create new content in namespace doomed because it is being terminated")
    #expect(h.get("/api/v1/namespaces/doomed/configmaps/inside").status == 200, "contents stay until the namespace controller runs")

    #expect(h.advance(until: { h.get("/api/v1/namespaces/doomed").status == 404 }, limit: 10))
    #expect(h.get("/api/v1/namespaces/doomed/configmaps/inside").status == 404)
    let deleted = try #require(h.store.changes(after: 0)).events.filter { $0.type == "DELETED" }.map { $0.object["metadata"]["name"] }
    #expect(deleted == ["inside", "doomed"])
  }

  @Test("a terminating namespace is finalized even when the simulator resyncs after compaction")
  func namespaceTerminationAfterCompaction() {
    let h = SimHarness()
    _ = h.post("/api/v1/namespaces", ["metadata": ["name": "doomed"]])
    _ = h.post("/api/v1/namespaces/doomed/configmaps", Make.configMap("inside"))
    #expect(h.delete("/api/v1/namespaces/doomed").status == 200)
    h.store.compact()
    #expect(h.advance(until: { h.get("/api/v1/namespaces/doomed").status == 404 }, limit: 10))
  }
}
