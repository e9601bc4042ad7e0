import KcdController
import KcdCore
import KcdHTTP
import KcdHooks
import KcdJSON
import KcdKube
import KcdServer
import KcdYAML
import KubeSim

#if canImport(Glibc)
import Glibc
#endif

/// Webhook receipt → Deployment patch accepted, on loopback against an in-process KubeSim
/// (HTTPS, as in a cluster): signed CI callbacks one after another, each to its own KCD, timed
/// from the request leaving the client to the Deployment carrying the new image in the store.
func spine(kcds: Int, callbacks: Int) throws {
  var options = KubeSim.Options(token: "bench")
  options.simulator.timeScale = 1000
  let sim = try KubeSim(options: options)
  let dir = "/tmp/kcd-bench-\(getpid())"
  try FileIO.mkdir(dir)
  try FileIO.mkdir(dir + "/hooks")
  let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
  try FileIO.write(secret + "\n", to: dir + "/hooks/ci")
  try FileIO.write(sim.kubeconfig(), to: dir + "/kubeconfig")
  let connection = try KubeConfigLoader.load(kubeconfig: dir + "/kubeconfig", context: nil)
  let client = KubeClient(connection: connection, qps: 0, burst: 1)
  let crdText = String(decoding: try FileIO.read("charts/kcd/crds/kcd.yaml"), as: UTF8.self)
  _ = try client.create(.customResourceDefinitions, namespace: nil, try YAML.parse(crdText))
  _ = try client.create(.namespaces, namespace: nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "bench"]])
  for i in 0..<kcds {
    let labels: JSON = ["app": .string("app-\(i)")]
    _ = try client.create(.deployments, namespace: "bench", [
      "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string("app-\(i)"), "labels": labels],
      "spec": ["replicas": 1, "selector": ["matchLabels": labels],
               "template": ["metadata": ["labels": labels], "spec": ["containers": [["name": "app", "image": .string("registry.example/app-\(i):1")]]]]],
    ])
    _ = try client.create(.kcds, namespace: "bench", [
      "apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": .string("app-\(i)")],
      "spec": ["imageRepo": .string("registry.example/app-\(i)"), "tag": "main", "selector": labels, "pollIntervalSeconds": 0],
    ])
  }
  var runtimeOptions = KcdRuntime.Options()
  runtimeOptions.hooksAddress = "127.0.0.1:0"
  runtimeOptions.apiAddress = "127.0.0.1:0"
  runtimeOptions.hooksSecretDirectory = dir + "/hooks"
  runtimeOptions.kubeQPS = 0
  runtimeOptions.polling = false
  let runtime = try KcdRuntime(connection: connection, options: runtimeOptions, log: Logger(format: .text, sink: { _ in }))
  runtime.start()
  while !runtime.controller.hasSynced { usleep(1000) }
  usleep(500_000)
  let key = try StandardWebhooks.Key(secret: secret)
  let http = HTTPClient()
  var latencies: [Double] = []
  var acknowledged: [Double] = []
  for n in 0..<callbacks {
    let i = n % kcds
    var digestBytes = [UInt8](repeating: 0, count: 32)
    for j in 0..<32 { digestBytes[j] = UInt8(truncatingIfNeeded: n &* 31 &+ j &* 7 &+ 1) }
    let digest = "sha256:" + digestBytes.map { b in let s = String(b, radix: 16); return s.count == 1 ? "0" + s : s }.joined()
    let body = Array(#"{"repository":"registry.example/app-\#(i)","tag":"main","digest":"\#(digest)","version":"v\#(n)abcd"}"#.utf8)
    let id = "msg_bench_\(n)"
    let ts = String(Int64(Timestamps.now()))
    var request = HTTPClientRequest(method: "POST", url: "http://127.0.0.1:\(runtime.hooksServer.port)/hooks/ci", body: body)
    request.headers.set("Content-Type", "application/json")
    request.headers.set("webhook-id", id)
    request.headers.set("webhook-timestamp", ts)
    request.headers.set("webhook-signature", StandardWebhooks.signature(key: key, id: id, timestamp: ts, body: body))
    let start = monotonicSeconds()
    let response = try http.send(request)
    guard response.status == 202 else { print("unexpected \(response.status): \(response.text)"); exit(1) }
    acknowledged.append(monotonicSeconds() - start)
    let want = "registry.example/app-\(i):v\(n)abcd@\(digest)"
    while true {
      if let d = sim.store.get(BuiltinResources.deployments, namespace: "bench", name: "app-\(i)"),
        d["spec"]["template"]["spec"]["containers"][0]["image"].stringValue == want { break }
      if monotonicSeconds() - start > 10 { print("timed out waiting for \(want)"); exit(1) }
      usleep(50)
    }
    latencies.append(monotonicSeconds() - start)
    // Let the rollout finish so the next callback to the same KCD is not queued behind it.
    if kcds < callbacks { usleep(20_000) }
  }
  report("webhook sent → 202 received (verified and recorded on the KCD)", acknowledged)
  report("webhook sent → Deployment patched (\(callbacks) callbacks over \(kcds) KCDs)", latencies)
  let sorted = latencies.sorted()
  let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
  print("p99: \((p99 * 100_000).rounded() / 100) ms")
  runtime.stop()
  sim.stop()
  _ = try? ProcessRunner.run(["rm", "-rf", dir])
}
