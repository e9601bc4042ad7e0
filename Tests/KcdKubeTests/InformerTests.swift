import KcdCore
import KcdHTTP
import KcdJSON
import KcdKube
import KcdTestSupport
import KubeSim
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The informer against an in-process KubeSim: a hostile object (nested too deeply) is flagged
/// on its own while the rest of the page is served, a list too large for one response is paged
/// smaller, a silent watch is restarted, and the informer says how current it is.
@Suite(.timeLimit(.minutes(3)))
struct InformerTests {
  static let blobs = KubeResource(group: "test.dev", version: "v1", plural: "blobs", kind: "Blob")

  /// KubeSim with a CRD that keeps whatever its objects hold.
  static func sim() throws -> (KubeSim, KubeClient) {
    let (sim, client) = try KubeClientTests.sim()
    let crd: JSON = [
      "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "blobs.test.dev"],
      "spec": ["group": "test.dev", "scope": "Namespaced", "names": ["plural": "blobs", "singular": "blob", "kind": "Blob", "listKind": "BlobList"],
               "versions": [["name": "v1", "served": true, "storage": true,
                             "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]]],
    ]
    _ = try client.create(.customResourceDefinitions, namespace: nil, crd)
    #expect(eventually(timeout: 10) { (try? client.list(blobs, namespace: "default")) != nil })
    return (sim, client)
  }

  static func blob(_ name: String, _ spec: JSON) -> JSON {
    ["apiVersion": "test.dev/v1", "kind": "Blob", "metadata": ["name": .string(name)], "spec": spec]
  }

  static func nested(_ depth: Int) -> JSON {
    var v: JSON = "bottom"
    for _ in 0..<depth { v = ["x": v] }
    return v
  }

  @Test("an object nested deeper than kcd keeps is flagged on its own; every other object of the page is intact")
  func truncated() throws {
    let (sim, client) = try Self.sim()
    defer { sim.stop() }
    for i in 0..<5 { _ = try client.create(Self.blobs, namespace: "default", Self.blob("b\(i)", ["n": .int(Int64(i))])) }
    _ = try client.create(Self.blobs, namespace: "default", Self.blob("deep", ["config": Self.nested(200)]))
    let sink = RecordingSink()
    let informer = Informer(client: client, resource: Self.blobs, options: Informer.Options(namespace: "default"), sink: sink)
    informer.start()
    defer { informer.stop() }
    #expect(eventually(timeout: 10) { informer.hasSynced }, "\(informer.state)")
    #expect(sink.keys.count == 6)
    let deep = try #require(sink.get("default/deep"))
    #expect(deep.truncated)
    #expect(deep.object["metadata"]["name"] == "deep", "its name survives, so it can be reported")
    for i in 0..<5 {
      let b = try #require(sink.get("default/b\(i)"))
      #expect(!b.truncated && b.object["spec"]["n"] == .int(Int64(i)))
    }
    // The same through a watch event.
    _ = try client.create(Self.blobs, namespace: "default", Self.blob("deeper", ["config": Self.nested(230)]))
    _ = try client.create(Self.blobs, namespace: "default", Self.blob("after", ["ok": true]))
    #expect(eventually(timeout: 10) { sink.get("default/after") != nil })
    #expect(sink.get("default/deeper")?.truncated == true)
    #expect(informer.state.consecutiveFailures == 0)
  }

  @Test("a list too large for one response is asked again in smaller pages")
  func largePages() throws {
    let (sim, client) = try Self.sim()
    defer { sim.stop() }
    let megabyte = JSON.string(String(repeating: "k", count: 1 << 20))
    for i in 0..<20 { _ = try client.create(Self.blobs, namespace: "default", Self.blob("big\(i)", ["payload": megabyte])) }
    let sink = RecordingSink()
    let informer = Informer(client: client, resource: Self.blobs, options: Informer.Options(namespace: "default"), sink: sink)
    informer.start()
    defer { informer.stop() }
    #expect(eventually(timeout: 30) { informer.hasSynced }, "\(informer.state) \(sink.log)")
    #expect(sink.keys.count == 20, "\(sink.log) \(informer.state)")
    #expect(sink.log.filter { $0.hasPrefix("page") }.count > 1, "\(sink.log)")
  }

  @Test("a watch that goes silent is restarted, and what happened meanwhile is seen")
  func silentWatch() throws {
    let (sim, client) = try Self.sim()
    defer { sim.stop() }
    sim.api.bookmarkInterval = 3600
    var options = Informer.Options(namespace: "default")
    options.silenceLimit = 1.5
    let sink = RecordingSink()
    let failures = Mutex<[String]>([])
    let informer = Informer(client: client, resource: .configMaps, options: options, sink: sink,
                            onFailure: { message, _ in failures.withLock { $0.append(message) } })
    informer.start()
    defer { informer.stop() }
    #expect(eventually(timeout: 10) { informer.hasSynced && informer.state.watching })
    // The stream stays open and sends nothing: only the silence limit can tell.
    sim.api.faults.watchFault = .stall
    _ = try client.create(.configMaps, namespace: "default", KubeClientTests.configMap("during", "1"))
    #expect(eventually(timeout: 15) { sink.get("default/during") != nil }, "\(sink.log) \(failures.withLock { $0 })")
    #expect(failures.withLock { $0 }.contains { $0.contains("idle") }, "the silence was noticed and reported: \(failures.withLock { $0 })")
    sim.api.faults.watchFault = .none
    #expect(eventually(timeout: 10) { informer.isCurrent })
  }

  @Test("a re-watch the server refuses (503) is counted and reported, and the cache stops counting as current until a watch opens")
  func refusedWatch() throws {
    let (sim, client) = try Self.sim()
    defer { sim.stop() }
    let failures = Mutex<[(String, Int)]>([])
    let informer = Informer(client: client, resource: .configMaps, options: Informer.Options(namespace: "default"), sink: RecordingSink(),
                            onFailure: { message, n in failures.withLock { $0.append((message, n)) } })
    informer.start()
    defer { informer.stop() }
    #expect(eventually(timeout: 10) { informer.hasSynced && informer.state.watching })
    sim.api.faults.add(FaultRule(verb: "watch", resource: "configmaps", code: 503))
    sim.api.faults.dropWatches()
    #expect(eventually(timeout: 10) { informer.state.consecutiveFailures >= 2 }, "\(informer.state)")
    #expect(!informer.state.watching)
    #expect(failures.withLock { $0 }.contains { $0.0.contains("503") && $0.1 >= 1 }, "\(failures.withLock { $0 })")
    #expect(eventually(timeout: 10) { !informer.isCurrent }, "no watch and no contact for 5 s: not current")
    sim.api.faults.clear()
    #expect(eventually(timeout: 10) { informer.isCurrent && informer.state.watching && informer.state.consecutiveFailures == 0 })
  }

  @Test("an informer that cannot reach the API server is not current and counts its failures")
  func unreachable() throws {
    let client = KubeClient(connection: KubeConnection(server: "http://127.0.0.1:9"))
    let sink = RecordingSink()
    let informer = Informer(client: client, resource: .configMaps, sink: sink)
    informer.start()
    defer { informer.stop() }
    #expect(eventually(timeout: 10) { informer.state.consecutiveFailures >= 1 })
    #expect(!informer.hasSynced && !informer.isCurrent)
    #expect(informer.state.lastError != nil)
  }
}
