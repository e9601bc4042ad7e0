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

/// kcd's Kubernetes client against an in-process KubeSim over HTTPS (its own CA).
@Suite(.timeLimit(.minutes(3)))
struct KubeClientTests {
  static func sim(tls: Bool = true) throws -> (KubeSim, KubeClient) {
    var options = KubeSim.Options()
    options.tls = tls
    let sim = try KubeSim(options: options)
    var tlsOptions = TLSClientOptions()
    tlsOptions.caPEM = sim.certificateAuthority.map { Array($0.certificateChainPEM.utf8) }
    let client = KubeClient(connection: KubeConnection(server: sim.url, tls: tlsOptions, credentials: Credentials(.token(sim.token))))
    return (sim, client)
  }

  static func configMap(_ name: String, _ value: String) -> JSON {
    ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": ["v": .string(value)]]
  }

  @Test("create, get, list, patch, update conflict and delete")
  func verbs() throws {
    let (sim, client) = try Self.sim()
    defer { sim.stop() }
    let created = try client.create(.configMaps, namespace: "default", Self.configMap("a", "1"))
    #expect(created["metadata"]["uid"].stringValue?.isEmpty == false)
    #expect(try client.get(.configMaps, namespace: "default", name: "a")["data"]["v"] == "1")
    let patched = try client.patch(.configMaps, namespace: "default", name: "a", ["data": ["v": "2"]], type: .merge)
    #expect(patched["data"]["v"] == "2")
    var stale = created
    stale["data"]["v"] = "3"
    #expect(throws: KubeError.self) { _ = try client.update(.configMaps, namespace: "default", name: "a", stale) }
    do { _ = try client.update(.configMaps, namespace: "default", name: "a", stale) } catch {
      #expect(error.isConflict)
    }
    for i in 0..<3 { _ = try client.create(.configMaps, namespace: "default", Self.configMap("b\(i)", "x")) }
    let (items, rv) = try client.list(.configMaps, namespace: "default")
    // Every namespace also holds kube-root-ca.crt, as in a real cluster.
    #expect(Set(items.compactMap { $0["metadata"]["name"].stringValue }) == ["a", "b0", "b1", "b2", "kube-root-ca.crt"])
    #expect(items.allSatisfy { $0["kind"] == "ConfigMap" })
    #expect(!rv.isEmpty)
    try client.delete(.configMaps, namespace: "default", name: "a")
    do { _ = try client.get(.configMaps, namespace: "default", name: "a") } catch { #expect(error.isNotFound) }
  }

  @Test("a watch delivers events as they happen")
  func watch() throws {
    let (sim, client) = try Self.sim()
    defer { sim.stop() }
    let (_, rv) = try client.list(.configMaps, namespace: "default")
    let seen = Mutex<[String]>([])
    let done = Atomic<Bool>(false)
    let failure = Mutex<String?>(nil)
    Threads.spawn {
      do {
        try client.watch(.configMaps, namespace: "default", resourceVersion: rv, timeoutSeconds: 30, onEvent: { e in
        seen.withLock { $0.append("\(e.type) \(e.object["metadata"]["name"].stringValue ?? "")") }
        return true
      }, shouldStop: { done.load(ordering: .relaxed) })
      } catch {
        failure.withLock { $0 = "\(error)" }
      }
      done.store(true, ordering: .relaxed)
    }
    usleep(200_000)
    _ = try client.create(.configMaps, namespace: "default", Self.configMap("w", "1"))
    _ = try client.patch(.configMaps, namespace: "default", name: "w", ["data": ["v": "2"]], type: .merge)
    #expect(eventually(timeout: 10) { seen.withLock { $0.contains("MODIFIED w") } }, "\(seen.withLock { $0 }) \(failure.withLock { $0 } ?? "")")
    #expect(seen.withLock { $0.first } == "ADDED w")
    done.store(true, ordering: .relaxed)
  }

  @Test("an informer lists, then follows changes")
  func informer() throws {
    let (sim, client) = try Self.sim()
    defer { sim.stop() }
    _ = try client.create(.configMaps, namespace: "default", Self.configMap("before", "1"))
    let sink = RecordingSink()
    let informer = Informer(client: client, resource: .configMaps, options: Informer.Options(namespace: "default"), sink: sink)
    informer.start()
    defer { informer.stop() }
    #expect(eventually(timeout: 10) { informer.hasSynced })
    #expect(sink.get("default/before") != nil)
    _ = try client.create(.configMaps, namespace: "default", Self.configMap("after", "1"))
    #expect(eventually(timeout: 10) { sink.get("default/after") != nil }, "\(sink.log) \(informer.state.lastError ?? "")")
    try client.delete(.configMaps, namespace: "default", name: "before")
    #expect(eventually(timeout: 10) { sink.get("default/before") == nil })
    #expect(sink.log.contains("delete before"))
    #expect(informer.isCurrent)
  }
}

/// An informer sink that keeps objects by key and a log of what it was told.
final class RecordingSink: InformerSink {
  struct State {
    var objects: [String: ListedObject] = [:]
    var relisting: Set<String>?
    var log: [String] = []
  }

  let state = Mutex(State())

  func get(_ key: String) -> ListedObject? { state.withLock { $0.objects[key] } }
  var log: [String] { state.withLock { $0.log } }
  var keys: Set<String> { state.withLock { Set($0.objects.keys) } }

  func beginRelist() { state.withLock { $0.relisting = []; $0.log.append("relist") } }

  func listed(_ page: [ListedObject]) {
    state.withLock { s in
      s.log.append("page \(page.count)")
      for o in page {
        s.objects[Informer.key(o.object)] = o
        s.relisting?.insert(Informer.key(o.object))
      }
    }
  }

  func endRelist() {
    state.withLock { s in
      if let seen = s.relisting { s.objects = s.objects.filter { seen.contains($0.key) } }
      s.relisting = nil
    }
  }

  func upsert(_ object: ListedObject) {
    state.withLock { s in
      s.objects[Informer.key(object.object)] = object
      s.log.append("upsert \(object.object["metadata"]["name"].stringValue ?? "")")
    }
  }

  func delete(_ object: JSON) {
    state.withLock { s in
      s.objects[Informer.key(object)] = nil
      s.log.append("delete \(object["metadata"]["name"].stringValue ?? "")")
    }
  }
}
