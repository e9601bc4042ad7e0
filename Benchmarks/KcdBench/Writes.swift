import KcdCore
import KcdHTTP
import KcdJSON
import KcdKube
import KubeSim
import KcdYAML
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One API write as kcd makes it: a strategic merge patch of a Deployment over HTTPS on
/// loopback through kcd's client, with 3,000 Deployments in the store — and the same patch
/// given to KubeSim's handler directly, to tell the server's share from the transport's.
func writes() throws {
  let sim = try KubeSim(options: KubeSim.Options(token: "bench"))
  sim.simulator.stop()
  _ = try sim.store.create(BuiltinResources.namespaces, namespace: "", object: ["metadata": ["name": "bench-b"]])
  for i in 0..<3000 { _ = try sim.store.create(BuiltinResources.deployments, namespace: "bench-b", object: deployment(i, namespace: "bench-b")) }
  var tls = TLSClientOptions()
  tls.caPEM = sim.certificateAuthority.map { Array($0.certificateChainPEM.utf8) }
  let client = KubeClient(connection: KubeConnection(server: sim.url, tls: tls, credentials: Credentials(.token("bench"))), qps: 0, burst: 1)
  func patch(_ i: Int, _ n: Int) -> JSON {
    ["spec": ["template": ["spec": ["containers": [["name": "app", "image": .string("registry.example/app-\(i):\(n)")]]]]]]
  }
  var handler: [Double] = []
  for n in 0..<200 {
    let body = patch(n, n).serialized()
    handler.append(seconds {
      _ = sim.api.handle(HTTPRequest(method: "PATCH", target: "/apis/apps/v1/namespaces/bench-b/deployments/app-\(n)",
                                     headers: ["Authorization": "Bearer bench", "Host": "x", "Content-Type": "application/strategic-merge-patch+json"], body: body))
    })
  }
  report("PATCH one Deployment, KubeSim's handler only (3,000 in the store)", handler)
  var https: [Double] = []
  for n in 0..<200 {
    https.append(try seconds { _ = try client.patch(.deployments, namespace: "bench-b", name: "app-\(n + 200)", patch(n + 200, n), type: .strategic) })
  }
  report("PATCH one Deployment over loopback HTTPS with kcd's client", https)
  sim.stop()
  try writesKCD()
}

/// The same with a KCD (a custom resource: schema validation, merge patch) and with a watch
/// open on it, as kcd's informers keep one.
func writesKCD() throws {
  let sim = try KubeSim(options: KubeSim.Options(token: "bench"))
  sim.simulator.stop()
  var tls = TLSClientOptions()
  tls.caPEM = sim.certificateAuthority.map { Array($0.certificateChainPEM.utf8) }
  let client = KubeClient(connection: KubeConnection(server: sim.url, tls: tls, credentials: Credentials(.token("bench"))), qps: 0, burst: 1)
  let crdText = String(decoding: try FileIO.read("charts/kcd/crds/kcd.yaml"), as: UTF8.self)
  _ = try client.create(.customResourceDefinitions, namespace: nil, try YAML.parse(crdText))
  _ = try client.create(.namespaces, namespace: nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "bench"]])
  for i in 0..<1000 {
    _ = try client.create(.kcds, namespace: "bench", ["apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": .string("app-\(i)")],
                                                     "spec": ["imageRepo": .string("registry.example/app-\(i)"), "tag": "main", "selector": ["app": .string("app-\(i)")]]])
  }
  func run(_ label: String) throws {
    var times: [Double] = []
    for n in 0..<200 {
      let kcd = try client.get(.kcds, namespace: "bench", name: "app-\(n)")
      let patch: JSON = ["metadata": ["resourceVersion": kcd["metadata"]["resourceVersion"], "annotations": ["kcd.dev/event": .string("{\"id\":\"\(label)\(n)\"}")]]]
      times.append(try seconds { _ = try client.patch(.kcds, namespace: "bench", name: "app-\(n)", patch, type: .merge) })
    }
    report("merge-PATCH a KCD's annotation over HTTPS, 1,000 KCDs, \(label)", times)
  }
  try run("no watch")
  let stop = Atomic<Bool>(false)
  Threads.spawn {
    try? client.watch(.kcds, resourceVersion: "0", timeoutSeconds: 300, onEvent: { _ in !stop.load(ordering: .relaxed) }, shouldStop: { stop.load(ordering: .relaxed) })
  }
  usleep(500_000)
  try run("a watch open")
  stop.store(true, ordering: .relaxed)
  sim.stop()
}
