import KcdHTTP
import KcdJSON
import Testing

@testable import KubeSim

/// WATCH as API Concepts describes it, read from the chunked stream in process: start
/// semantics, event contents, selector transitions, bookmarks, timeouts and 410 for
/// compacted history.
@Suite struct WatchTests {
  static let configMaps = "/api/v1/namespaces/default/configmaps"

  static func name(_ event: JSON) -> String { event["object"]["metadata"]["name"].stringValue ?? "" }

  static func count(_ n: Int) -> @Sendable ([JSON]) -> Bool { { $0.count >= n } }

  @Test("RV unset or 0: synthetic ADDED for what exists, then live events", arguments: ["", "&resourceVersion=0"])
  func syntheticAdded(rv: String) {
    let h = SimHarness()
    _ = h.post(Self.configMaps, Make.configMap("a"))
    _ = h.post(Self.configMaps, Make.configMap("b"))
    let stream = h.openWatch(Self.configMaps + "?watch=1&timeoutSeconds=5" + rv)
    #expect(stream.status == 200 && stream.headers["Content-Type"] == "application/json")
    _ = h.post(Self.configMaps, Make.configMap("c"))
    _ = h.patch(Self.configMaps + "/a", ["data": ["mode": "two"]])
    let r = h.drain(stream, until: Self.count(4))
    #expect(!r.forced)
    #expect(r.types == ["ADDED", "ADDED", "ADDED", "MODIFIED"])
    #expect(r.events.map(Self.name) == ["a", "b", "c", "a"])
    #expect(r.events.allSatisfy { $0["object"]["kind"] == "ConfigMap" && $0["object"]["apiVersion"] == "v1" }, "watch objects carry their kind")
    #expect(r.events[3]["object"]["data"]["mode"] == "two")
    #expect(r.events[3]["object"]["metadata"]["resourceVersion"] == .string(String(h.store.currentRevision)))
  }

  @Test("RV N: only the changes after N, no synthetic ADDED")
  func replayAfterRevision() {
    let h = SimHarness()
    let a = h.post(Self.configMaps, Make.configMap("a")).json
    let from = a["metadata"]["resourceVersion"].stringValue ?? ""
    _ = h.patch(Self.configMaps + "/a", ["data": ["mode": "two"]])
    _ = h.post(Self.configMaps, Make.configMap("b"))
    _ = h.post("/apis/apps/v1/namespaces/default/deployments", Make.deployment("web"))
    let r = h.watch(Self.configMaps + "?watch=true&timeoutSeconds=5&resourceVersion=" + from, until: Self.count(2))
    #expect(r.types == ["MODIFIED", "ADDED"])
    #expect(r.events.map(Self.name) == ["a", "b"], "other kinds' changes are not this watch's")
  }

  @Test("DELETED carries the last state stamped with the deletion's revision")
  func deletedEvent() {
    let h = SimHarness()
    let created = h.post(Self.configMaps, Make.configMap("a", data: ["mode": "last"])).json
    let stream = h.openWatch(Self.configMaps + "?watch=1&timeoutSeconds=5&resourceVersion=" + (created["metadata"]["resourceVersion"].stringValue ?? ""))
    #expect(h.delete(Self.configMaps + "/a").status == 200)
    let r = h.drain(stream, until: Self.count(1))
    #expect(r.types == ["DELETED"])
    let object = r.events.first?["object"] ?? .null
    #expect(object["data"]["mode"] == "last" && object["metadata"]["uid"] == created["metadata"]["uid"])
    #expect(object["metadata"]["resourceVersion"] == .string(String(h.store.currentRevision)))
    #expect(object["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"])
  }

  @Test("objects entering or leaving a selector arrive as ADDED or DELETED")
  func selectorTransitions() {
    let h = SimHarness()
    let stream = h.openWatch(Self.configMaps + "?watch=1&timeoutSeconds=5&labelSelector=app%3Dweb&resourceVersion=\(h.store.currentRevision)")
    _ = h.post(Self.configMaps, Make.configMap("x"))
    _ = h.patch(Self.configMaps + "/x", ["metadata": ["labels": ["app": "web"]]])
    _ = h.patch(Self.configMaps + "/x", ["data": ["mode": "two"]])
    _ = h.patch(Self.configMaps + "/x", ["metadata": ["labels": ["app": "db"]]])
    _ = h.patch(Self.configMaps + "/x", ["data": ["mode": "three"]])
    _ = h.post(Self.configMaps, Make.configMap("y", labels: ["app": "web"]))
    _ = h.delete(Self.configMaps + "/y")
    let r = h.drain(stream, until: Self.count(5))
    #expect(r.types == ["ADDED", "MODIFIED", "DELETED", "ADDED", "DELETED"])
    #expect(r.events.map(Self.name) == ["x", "x", "x", "y", "y"])
    #expect(r.events[2]["object"]["metadata"]["labels"]["app"] == "db", "the DELETED of a transition carries the new state")

    let fields = h.watch(Self.configMaps + "?watch=1&timeoutSeconds=5&fieldSelector=metadata.name%3Dx", until: Self.count(1))
    #expect(fields.types == ["ADDED"] && fields.events.map(Self.name) == ["x"])
  }

  @Test("BOOKMARK only with allowWatchBookmarks, and only kind, apiVersion and resourceVersion")
  func bookmarks() {
    let h = SimHarness()
    h.api.bookmarkInterval = 0.05
    _ = h.post(Self.configMaps, Make.configMap("a"))
    let rv = h.store.currentRevision
    let with = h.watch(Self.configMaps + "?watch=1&allowWatchBookmarks=true&timeoutSeconds=5&resourceVersion=\(rv)",
                       until: { $0.contains { $0["type"] == "BOOKMARK" } })
    #expect(!with.forced)
    #expect(with.events.first == ["type": "BOOKMARK", "object": ["kind": "ConfigMap", "apiVersion": "v1", "metadata": ["resourceVersion": .string(String(rv))]]])

    let without = h.watch(Self.configMaps + "?watch=1&timeoutSeconds=1&resourceVersion=\(rv)")
    #expect(!without.forced && without.events.isEmpty, "no bookmarks unless asked: \(without.types)")
  }

  @Test("timeoutSeconds ends the stream cleanly")
  func timeoutEndsStream() {
    let h = SimHarness()
    _ = h.post(Self.configMaps, Make.configMap("a"))
    let r = h.watch(Self.configMaps + "?watch=1&timeoutSeconds=1", deadlineSeconds: 15)
    #expect(r.status == 200)
    #expect(!r.forced, "the server ended the stream, the test did not have to")
    #expect(r.types == ["ADDED"])
  }

  @Test("a compacted start revision gets 200, one ERROR 410 Expired event, then the end")
  func compactedRevision() {
    let h = SimHarness()
    let old = h.post(Self.configMaps, Make.configMap("a"))["metadata"]["resourceVersion"].stringValue ?? ""
    _ = h.post(Self.configMaps, Make.configMap("b"))
    h.store.compact()
    let r = h.watch(Self.configMaps + "?watch=1&timeoutSeconds=5&resourceVersion=" + old)
    #expect(r.status == 200 && !r.forced)
    #expect(r.events == [["type": "ERROR", "object": [
      "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
      "message": .string("too old resource version: \(old) (\(h.store.compactedRevision))"), "reason": "Expired", "code": 410,
    ]]])
  }

  @Test("a watch whose history is trimmed while it runs ends with ERROR 410")
  func historyTrimmedUnderWatch() {
    let h = SimHarness(historyLimit: 3)
    let stream = h.openWatch(Self.configMaps + "?watch=1&timeoutSeconds=5&resourceVersion=\(h.store.currentRevision)")
    for i in 0..<6 { _ = h.post(Self.configMaps, Make.configMap("c\(i)")) }
    let r = h.drain(stream)
    #expect(!r.forced)
    #expect(r.types == ["ERROR"] && r.events.first?["object"]["code"] == 410)
  }

  /// kube-apiserver keeps one watch cache per resource (`k8s.io/apiserver/pkg/storage/cacher`,
  /// `watch_cache.go`), so churn in one kind never expires a watch on another; within a kind,
  /// a start before the oldest retained event minus one is "too old resource version: rv (oldest-1)"
  /// (`getAllEventsSinceLocked`).
  @Test("each resource has its own watch window: churn elsewhere never expires a quiet kind")
  func perResourceWindow() throws {
    let h = SimHarness(historyLimit: 3)
    let quiet = try #require(h.post(Self.configMaps, Make.configMap("quiet"))["metadata"]["resourceVersion"].stringValue)
    for i in 0..<10 { _ = h.post("/api/v1/namespaces/default/secrets", ["metadata": ["name": .string("s\(i)")]]) }
    _ = h.post(Self.configMaps, Make.configMap("later"))
    let resumed = h.watch(Self.configMaps + "?watch=1&timeoutSeconds=1&resourceVersion=" + quiet, deadlineSeconds: 15)
    #expect(resumed.types == ["ADDED"] && resumed.events.first?["object"]["metadata"]["name"] == "later")

    // Churn within the kind itself moves its window.
    var versions: [Int64] = []
    for i in 0..<5 {
      versions.append(try #require(h.post(Self.configMaps, Make.configMap("c\(i)"))["metadata"]["resourceVersion"].stringValue.flatMap { Int64($0) }))
    }
    // Retained: c2, c3, c4; the oldest start served is the revision before c2.
    #expect(h.store.lowerBound(of: BuiltinResources.configMaps) == versions[2] - 1)
    let expired = h.watch(Self.configMaps + "?watch=1&timeoutSeconds=1&resourceVersion=" + quiet, deadlineSeconds: 15)
    #expect(expired.events.first?["object"]["message"] == .string("too old resource version: \(quiet) (\(versions[2] - 1))"))
    let edge = h.watch(Self.configMaps + "?watch=1&timeoutSeconds=1&resourceVersion=\(versions[2] - 1)", deadlineSeconds: 15)
    #expect(edge.types == ["ADDED", "ADDED", "ADDED"])
    let secrets = h.watch("/api/v1/namespaces/default/secrets?watch=1&timeoutSeconds=1&resourceVersion=\(versions[4])", deadlineSeconds: 15)
    #expect(secrets.status == 200 && secrets.types.isEmpty, "the secrets window ends before the configmap churn, and still serves later starts")
  }

  @Test("sendInitialEvents needs NotOlderThan and bookmarks, then ends its replay with the initial-events-end bookmark")
  func sendInitialEvents() throws {
    let h = SimHarness()
    _ = h.post(Self.configMaps, Make.configMap("a"))
    _ = h.post(Self.configMaps, Make.configMap("b"))
    let noMatch = h.watch(Self.configMaps + "?watch=1&sendInitialEvents=true&allowWatchBookmarks=true")
    #expect(noMatch.status == 400 && noMatch.body["reason"] == "BadRequest")
    #expect(noMatch.body["message"] == "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
    let noBookmarks = h.watch(Self.configMaps + "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan")
    #expect(noBookmarks.status == 400)
    #expect(noBookmarks.body["message"].stringValue?.hasPrefix("allowWatchBookmarks: Forbidden:") == true)

    let rv = h.store.currentRevision
    let stream = h.openWatch(Self.configMaps + "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=&timeoutSeconds=5")
    _ = h.post(Self.configMaps, Make.configMap("c"))
    let r = h.drain(stream, until: { $0.contains { $0["object"]["metadata"]["name"] == "c" } })
    #expect(Array(r.types.prefix(3)) == ["ADDED", "ADDED", "BOOKMARK"])
    #expect(r.events[2]["object"] == ["kind": "ConfigMap", "apiVersion": "v1",
                                       "metadata": ["resourceVersion": .string(String(rv)), "annotations": ["k8s.io/initial-events-end": "true"]]])
    let live = try #require(r.events.last)
    #expect(live["type"] == "ADDED" && Self.name(live) == "c")
  }
}
