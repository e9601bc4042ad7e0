import KcdHTTP
import KcdJSON
import Testing

@testable import KubeSim

/// `--server-version` below the current releases changes what changed by version.
@Suite struct VersionEmulationTests {
  /// selfLink: the RemoveSelfLink feature gate (KEP-1164) was alpha and off in 1.16–1.19, beta
  /// and on by default from 1.20 (CHANGELOG-1.20: "RemoveSelfLink … enabled by default"), GA
  /// and locked on in 1.24. So a 1.19 server fills it in on objects, lists and watch events, and
  /// 1.20 and later leave it empty.
  @Test("metadata.selfLink is set on objects, lists and watch events before 1.20 only", arguments: ["19", "20"])
  func selfLink(minor: String) {
    let h = SimHarness(serverMinorVersion: minor)
    let created = h.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"]])
    let list = h.get("/api/v1/namespaces/default/configmaps")
    let got = h.get("/apis/apps/v1/namespaces/default/deployments")
    let events = h.watch("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1").events
    if minor == "19" {
      #expect(created["metadata"]["selfLink"] == "/api/v1/namespaces/default/configmaps/c")
      #expect(list["metadata"]["selfLink"] == "/api/v1/namespaces/default/configmaps")
      #expect(list["items"][0]["metadata"]["selfLink"] == "/api/v1/namespaces/default/configmaps/c")
      #expect(got["metadata"]["selfLink"] == "/apis/apps/v1/namespaces/default/deployments")
      #expect(events.first?["object"]["metadata"]["selfLink"] == "/api/v1/namespaces/default/configmaps/c")
    } else {
      #expect(created["metadata"]["selfLink"].isNull && list["metadata"]["selfLink"].isNull)
      #expect(events.first?["object"]["metadata"]["selfLink"].isNull == true)
    }
  }

  /// The deprecated API migration guide: authentication.k8s.io/v1beta1 TokenReview went in 1.22;
  /// batch/v1beta1 CronJob and policy/v1beta1 PodDisruptionBudget in 1.25; batch/v1 CronJob and
  /// policy/v1 PodDisruptionBudget came (GA) in 1.21.
  @Test("group versions come and go with the emulated version", arguments: [
    ("20", ["authentication.k8s.io/v1beta1", "batch/v1beta1", "policy/v1beta1"], ["policy/v1"]),
    ("21", ["authentication.k8s.io/v1beta1", "batch/v1beta1", "policy/v1beta1", "policy/v1"], []),
    ("22", ["batch/v1beta1", "policy/v1beta1", "policy/v1"], ["authentication.k8s.io/v1beta1"]),
    ("24", ["batch/v1beta1", "policy/v1beta1"], ["authentication.k8s.io/v1beta1"]),
    ("25", ["policy/v1", "batch/v1"], ["batch/v1beta1", "policy/v1beta1"]),
  ])
  func servedVersions(minor: String, served: [String], absent: [String]) {
    let h = SimHarness(serverMinorVersion: minor)
    for gv in served { #expect(h.get("/apis/" + gv).status == 200, "\(gv) at 1.\(minor)") }
    for gv in absent { #expect(h.get("/apis/" + gv).status == 404, "\(gv) at 1.\(minor)") }
    let cronJobs = h.get("/apis/batch/v1").json["resources"].arrayValue?.contains { $0["name"] == "cronjobs" } ?? false
    #expect(cronJobs == (minor != "20"), "batch/v1 CronJob is GA in 1.21")
  }

  @Test("a 1.21 server answers a v1beta1 TokenReview as v1beta1, from the same table")
  func tokenReviewV1beta1() {
    let h = SimHarness(serverMinorVersion: "21")
    h.api.access.addUser(token: "t1", AccessTable.User(username: "alice", groups: ["devs"]))
    let r = h.post("/apis/authentication.k8s.io/v1beta1/tokenreviews", ["apiVersion": "authentication.k8s.io/v1beta1", "kind": "TokenReview", "spec": ["token": "t1"]])
    #expect(r.status == 201 && r["apiVersion"] == "authentication.k8s.io/v1beta1", "\(r.json)")
    #expect(r["status"]["authenticated"] == true && r["status"]["user"]["username"] == "alice")
  }

  @Test("a CronJob created as batch/v1beta1 on a 1.24 server is read back as batch/v1 too")
  func cronJobV1beta1() {
    let h = SimHarness(serverMinorVersion: "24")
    let job: JSON = ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox"]]]]]
    let r = h.post("/apis/batch/v1beta1/namespaces/default/cronjobs", ["metadata": ["name": "nightly"], "spec": ["schedule": "0 0 * * *", "jobTemplate": ["spec": job]]])
    #expect(r.status == 201 && r["apiVersion"] == "batch/v1beta1", "\(r.json)")
    #expect(h.get("/apis/batch/v1/namespaces/default/cronjobs/nightly")["apiVersion"] == "batch/v1")
  }

  /// A merge patch with bytes after the JSON document (or any syntax error): json-patch's
  /// MergePatch answers ErrBadJSONPatch "Invalid JSON Patch"; handlers/patch.go maps it to a 400
  /// since it checks `retErr == jsonpatch.ErrBadJSONPatch` (json-patch 4.11, in 1.22); a 1.20
  /// server returned the bare error, which ErrorToAPIStatus turns into a 500 without a reason.
  /// The error comes from inside the update, so a missing object is still a 404.
  @Test("a merge patch with trailing bytes is a 500 on 1.20 and a 400 from 1.22; a missing object is 404 on both",
        arguments: ["20", "22", "30"])
  func trailingBytesAfterMergePatch(minor: String) {
    let h = SimHarness(serverMinorVersion: minor)
    _ = h.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "c"], "data": ["a": "1"]])
    func send(_ name: String, _ body: String) -> SimHarness.Reply {
      let headers: HTTPHeaders = ["Host": "kubesim.test", "Authorization": "Bearer \(SimHarness.token)",
                                  "Content-Type": "application/merge-patch+json"]
      return SimHarness.Reply(h.api.handle(HTTPRequest(method: "PATCH", target: "/api/v1/namespaces/default/configmaps/\(name)",
                                                       headers: headers, body: Array(body.utf8))))
    }
    let r = send("c", #"{"data":{"a":"2"}}x"#)
    #expect(r["message"] == "Invalid JSON Patch", "\(r.json)")
    if minor == "20" {
      #expect(r.status == 500 && r["reason"].isNull, "\(r.json)")
    } else {
      #expect(r.status == 400 && r["reason"] == "BadRequest", "\(r.json)")
    }
    #expect(h.get("/api/v1/namespaces/default/configmaps/c")["data"]["a"] == "1", "nothing applied")
    #expect(send("c", "{\"data\":{\"a\":\"2\"}}\n  ").status == 200, "trailing white space is fine")
    #expect(send("gone", #"{"data":{}}x"#).status == 404)
  }
}
