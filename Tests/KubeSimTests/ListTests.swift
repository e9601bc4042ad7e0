import KcdHTTP
import KcdJSON
import Testing

@testable import KubeSim

/// LIST as API Concepts describes it: list shapes, selectors, paging and the resourceVersion /
/// resourceVersionMatch rules with their 400, 410 and 504 answers.
@Suite struct ListTests {
  static let configMaps = "/api/v1/namespaces/default/configmaps"

  static func names(_ list: JSON) -> [String] { (list["items"].arrayValue ?? []).compactMap { $0["metadata"]["name"].stringValue } }

  static func seeded() -> SimHarness {
    let h = SimHarness()
    _ = h.post("/api/v1/namespaces", ["metadata": ["name": "other"]])
    _ = h.post(configMaps, Make.configMap("a", labels: ["app": "web", "tier": "front"]))
    _ = h.post(configMaps, Make.configMap("b", labels: ["app": "web", "tier": "back"]))
    _ = h.post(configMaps, Make.configMap("c", labels: ["app": "db"]))
    _ = h.post(configMaps, Make.configMap("d"))
    _ = h.post("/api/v1/namespaces/other/configmaps", Make.configMap("e", labels: ["app": "web"]))
    return h
  }

  @Test("built-in lists carry kind, apiVersion and resourceVersion; their items carry no kind")
  func builtinListShape() {
    let h = Self.seeded()
    let r = h.get(Self.configMaps)
    #expect(r.status == 200)
    #expect(r["kind"] == "ConfigMapList" && r["apiVersion"] == "v1")
    #expect(r["metadata"] == ["resourceVersion": .string(String(h.store.currentRevision))])
    #expect(Self.names(r.json) == ["a", "b", "c", "d"])
    #expect(r["items"].arrayValue?.allSatisfy { $0["kind"].isNull && $0["apiVersion"].isNull } == true)
    #expect(r["items"][0]["metadata"]["resourceVersion"].stringValue != nil)
    #expect(Self.names(h.get("/api/v1/configmaps").json) == ["a", "b", "c", "d", "e"], "all namespaces, sorted by namespace and name")
    #expect(h.get("/apis/apps/v1/namespaces/default/deployments")["items"] == [], "an empty list is [] not null")
  }

  @Test("custom resource lists keep kind and apiVersion on every item")
  func customResourceListShape() {
    let h = SimHarness()
    #expect(h.post(Make.crdPath, Make.crd()).status == 201)
    let path = "/apis/example.com/v1/namespaces/default/widgets"
    _ = h.post(path, Make.customResource("one"))
    _ = h.post(path, Make.customResource("two"))
    let r = h.get(path)
    #expect(r["kind"] == "WidgetList" && r["apiVersion"] == "example.com/v1")
    #expect(Self.names(r.json) == ["one", "two"])
    #expect(r["items"].arrayValue?.allSatisfy { $0["kind"] == "Widget" && $0["apiVersion"] == "example.com/v1" } == true)
  }

  @Test("label selectors with the full grammar", arguments: [
    ("app=web", ["a", "b"]), ("app==web", ["a", "b"]), ("app!=web", ["c", "d"]), ("app in (web,db)", ["a", "b", "c"]),
    ("app notin (web)", ["c", "d"]), ("tier", ["a", "b"]), ("!app", ["d"]), ("app=web,tier=back", ["b"]),
  ])
  func labelSelectors(selector: String, expected: [String]) {
    let h = Self.seeded()
    let r = h.get(Self.configMaps + "?labelSelector=" + PercentDecoding.encode(selector))
    #expect(r.status == 200)
    #expect(Self.names(r.json) == expected)
  }

  @Test("field selectors: supported fields filter, others are 400")
  func fieldSelectors() {
    let h = Self.seeded()
    #expect(Self.names(h.get(Self.configMaps + "?fieldSelector=metadata.name%3Db").json) == ["b"])
    #expect(Self.names(h.get(Self.configMaps + "?fieldSelector=metadata.name!%3Db").json) == ["a", "c", "d"])
    #expect(Self.names(h.get("/api/v1/configmaps?fieldSelector=metadata.namespace%3Dother").json) == ["e"])
    let bad = h.get(Self.configMaps + "?fieldSelector=spec.foo%3Dx")
    #expect(bad.status == 400 && bad["reason"] == "BadRequest" && bad["message"] == "field label not supported: spec.foo")
    #expect(h.get("/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning").status == 200, "pods know status.phase")
    #expect(h.get(Self.configMaps + "?labelSelector=app%20in%20web").status == 400, "a malformed label selector is 400")
  }

  @Test("invalid resourceVersion / resourceVersionMatch / continue combinations are 400", arguments: [
    ("resourceVersionMatch=NotOlderThan", "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"),
    ("resourceVersionMatch=Exact&resourceVersion=0", "resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""),
  ])
  func invalidCombinations(query: String, message: String) {
    let h = Self.seeded()
    let r = h.get(Self.configMaps + "?" + query)
    #expect(r.status == 400 && r["reason"] == "BadRequest" && r["code"] == 400)
    #expect(r["message"] == .string(message))
  }

  @Test("limit and continue page over one snapshot; continue refuses a resourceVersion other than 0")
  func paging() throws {
    let h = Self.seeded()
    let first = h.get(Self.configMaps + "?limit=2")
    #expect(Self.names(first.json) == ["a", "b"] && first["metadata"]["remainingItemCount"] == 2)
    let listRV = first["metadata"]["resourceVersion"]
    let token = try #require(first["metadata"]["continue"].stringValue)
    _ = h.post(Self.configMaps, Make.configMap("bb"))

    let second = h.get(Self.configMaps + "?limit=2&continue=" + PercentDecoding.encode(token))
    #expect(second.status == 200 && Self.names(second.json) == ["c", "d"], "continue pages over the first page's snapshot (bb came later)")
    #expect(second["metadata"]["resourceVersion"] == listRV, "every page reports the first page's revision")
    #expect(second["metadata"]["continue"].isNull && second["metadata"]["remainingItemCount"].isNull)

    let withZero = h.get(Self.configMaps + "?limit=2&resourceVersion=0&continue=" + PercentDecoding.encode(token))
    #expect(withZero.status == 200 && Self.names(withZero.json) == ["c", "d"], "RV=0 with continue is a plain continuation")
    let withRV = h.get(Self.configMaps + "?limit=2&resourceVersion=\(listRV.stringValue ?? "")&continue=" + PercentDecoding.encode(token))
    #expect(withRV.status == 400 && withRV["message"] == "specifying resource version is not allowed when using continue")
    #expect(Self.names(h.get(Self.configMaps + "?limit=0").json).count == 5, "limit=0 means no limit")
  }

  /// A real server answers `resourceVersion=0` from its watch cache in one response and ignores
  /// `limit` (k8s.io/apiserver `pkg/storage/cacher/cacher.go`, `shouldDelegateList`: only an
  /// unset RV with a limit, or an exact RV, is paged by etcd); client-go's reflector relies on it.
  @Test("resourceVersion=0 lists ignore limit and come in one page")
  func resourceVersionZeroIsUnpaged() {
    let h = Self.seeded()
    let zero = h.get(Self.configMaps + "?resourceVersion=0&limit=2")
    #expect(zero.status == 200 && Self.names(zero.json) == ["a", "b", "c", "d"])
    #expect(zero["metadata"]["continue"].isNull && zero["metadata"]["remainingItemCount"].isNull)
    #expect(Self.names(h.get(Self.configMaps + "?limit=2").json) == ["a", "b"], "no RV: paged")
  }

  @Test("a resourceVersion the store has not reached is 504 Too large resource version")
  func tooLargeResourceVersion() {
    let h = Self.seeded()
    let current = h.store.currentRevision
    let r = h.get(Self.configMaps + "?resourceVersion=\(current + 1000)")
    #expect(r.status == 504)
    #expect(r.headers["Retry-After"] == "1")
    #expect(r.json == [
      "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
      "message": .string("Too large resource version: \(current + 1000), current: \(current)"), "reason": "Timeout",
      "details": ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]], "retryAfterSeconds": 1],
      "code": 504,
    ])
    #expect(h.get(Self.configMaps + "?resourceVersion=\(current)&resourceVersionMatch=NotOlderThan").status == 200)
  }

  @Test("exact reads of a compacted revision are 410 Expired; not-older-than reads still work")
  func compactedExactRead() throws {
    let h = Self.seeded()
    let old = h.store.currentRevision
    let token = try #require(h.get(Self.configMaps + "?limit=1")["metadata"]["continue"].stringValue)
    _ = h.post(Self.configMaps, Make.configMap("newer"))
    h.store.compact()
    let compacted = h.store.compactedRevision
    #expect(compacted > old)

    let exact = h.get(Self.configMaps + "?resourceVersion=\(old)&resourceVersionMatch=Exact")
    #expect(exact.status == 410)
    #expect(exact.json == ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                           "message": .string("too old resource version: \(old) (\(compacted))"), "reason": "Expired", "code": 410])
    #expect(h.get(Self.configMaps + "?resourceVersion=\(old)&limit=2").status == 410, "limit with an RV is an exact read")
    #expect(h.get(Self.configMaps + "?resourceVersion=\(old)").status == 200, "no limit: not older than")
    #expect(h.get(Self.configMaps + "?resourceVersion=\(old)&resourceVersionMatch=NotOlderThan").status == 200)

    let expired = h.get(Self.configMaps + "?limit=1&continue=" + PercentDecoding.encode(token))
    #expect(expired.status == 410 && expired["reason"] == "Expired")
    #expect(expired["message"].stringValue?.hasPrefix("The provided continue parameter is too old to display a consistent list result.") == true)
  }
}
