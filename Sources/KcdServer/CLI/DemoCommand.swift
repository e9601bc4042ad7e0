import KcdController
import KcdCore
import KcdCrypto
import KcdJSON
import KcdKube
import KcdYAML
import KubeSim

#if canImport(Glibc)
import Glibc
#endif

/// `kcd demo`: a simulated cluster with a Deployment, a StatefulSet and a blue-green pair, each
/// followed by a KCD; kcd against it; the dashboard's address first; and commands to paste: a good
/// push, and one whose pods never start and is rolled back.
enum DemoCommand {
  static let usage = """
    Usage: kcd demo [--hooks-addr 127.0.0.1:8080] [--api-addr 127.0.0.1:8081] [--crd charts/kcd/crds/kcd.yaml]

    Starts KubeSim seeded with namespace demo — Deployment web, StatefulSet db and the blue-green
    pair shop-blue/shop-green behind Service shop, each followed by a KCD — runs kcd against it,
    prints the dashboard's address, then signed `kcd hooks send` commands: a good push for each,
    and a push of an image whose pods never start, which kcd rolls back. Runs until interrupted.
    """

  static let command = Command(name: "demo", summary: "try kcd against a simulated cluster", usage: usage) { args in
    let a = try Arguments(args, valueFlags: ["hooks-addr", "api-addr", "crd"])
    let crdPath = a.value("crd") ?? "charts/kcd/crds/kcd.yaml"
    guard FileIO.exists(crdPath) else { throw UsageError("cannot find the KCD CRD at \(crdPath); run from the repository or pass --crd") }
    let crd = try YAML.parse(String(decoding: try FileIO.read(crdPath), as: UTF8.self))
    let directory = makeDirectory()
    let sim = try KubeSim(options: KubeSim.Options())
    let kubeconfig = directory + "/kubeconfig"
    try FileIO.write(sim.kubeconfig(namespace: "demo"), to: kubeconfig)
    let secret = "whsec_" + Base64.encode(SecureRandom.bytes(32))
    try FileIO.mkdir(directory + "/hooks")
    try FileIO.write(secret + "\n", to: directory + "/hooks/ci")

    let connection = try KubeConfigLoader.load(kubeconfig: kubeconfig, context: nil)
    let client = KubeClient(connection: connection)
    try seed(client, crd: crd)

    var options = KcdRuntime.Options()
    options.hooksAddress = a.value("hooks-addr") ?? "127.0.0.1:8080"
    options.apiAddress = a.value("api-addr") ?? "127.0.0.1:8081"
    options.hooksSecretDirectory = directory + "/hooks"
    options.identity = "kcd-demo"
    let runtime = try KcdRuntime(connection: connection, options: options, log: Logger(format: .text))
    runtime.start()

    let binary = CommandLine.arguments[0]
    let hooks = "http://127.0.0.1:\(runtime.hooksServer.port)/hooks/ci"
    func push(_ repository: String, version: String) -> String {
      let digest = "sha256:" + Digest.hex(Digest.sha256(SecureRandom.bytes(32)))
      return "\(binary) hooks send --url \(hooks) --secret-file \(directory)/hooks/ci --repository ghcr.io/kcd-demo/\(repository) --tag main --digest \(digest) --version \(version)"
    }
    func version() -> String { String(Digest.hex(SecureRandom.bytes(4)).prefix(7)) }
    Console.out("""

      kcd demo is running. Open the dashboard:

        http://127.0.0.1:\(runtime.apiServer.port)/

        simulated cluster:  \(sim.url)   (KUBECONFIG=\(kubeconfig) kubectl get deploy,sts,svc,kcd -n demo)
        kcd hooks:          \(hooks)
        kcd API:            http://127.0.0.1:\(runtime.apiServer.port)/api/v1/namespaces/demo/kcds/web

      A good push of web (a Deployment, rolling update), as a CI pipeline sends it:

        \(push("web", version: version()))

      A push whose pods never start: kcd sees the rollout stall, fails it and puts the previous image back:

        \(push("web", version: "fail-progress-" + version()))

      The StatefulSet and the blue-green pair (the Service switches only once the new side is available):

        \(push("db", version: version()))
        \(push("shop", version: version()))

      Press Ctrl-C to stop.

      """)
    _ = Signals.waitForTermination()
    runtime.stop()
    sim.stop()
    return 0
  }

  static func makeDirectory() -> String {
    var template = Array("/tmp/kcd-demo-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return path.map { String(cString: $0) } ?? "/tmp/kcd-demo"
  }

  static func seed(_ client: KubeClient, crd: JSON) throws {
    _ = try client.create(.customResourceDefinitions, namespace: nil, crd)
    _ = try client.create(.namespaces, namespace: nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "demo"]])
    func template(_ labels: JSON, image: String) -> JSON {
      ["metadata": ["labels": labels], "spec": ["containers": [["name": "app", "image": .string(image)]]]]
    }
    _ = try client.create(.deployments, namespace: "demo", [
      "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "labels": ["app": "web"]],
      "spec": ["replicas": 3, "progressDeadlineSeconds": 15, "selector": ["matchLabels": ["app": "web"]],
               "template": template(["app": "web"], image: "ghcr.io/kcd-demo/web:1.0")],
    ])
    _ = try client.create(.statefulSets, namespace: "demo", [
      "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db", "labels": ["app": "db"]],
      "spec": ["replicas": 2, "serviceName": "db", "selector": ["matchLabels": ["app": "db"]], "template": template(["app": "db"], image: "ghcr.io/kcd-demo/db:1.0")],
    ])
    for (color, replicas) in [("blue", 2), ("green", 0)] {
      let labels: JSON = ["app": "shop", "color": .string(color)]
      _ = try client.create(.deployments, namespace: "demo", [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string("shop-\(color)"), "labels": ["app": "shop"]],
        "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": labels], "template": template(labels, image: "ghcr.io/kcd-demo/shop:1.0")],
      ])
    }
    for name in ["shop", "shop-preview"] {
      _ = try client.create(.services, namespace: "demo", [
        "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
        "spec": ["selector": ["app": "shop", "color": "blue"], "ports": [["port": 80, "targetPort": 8080]]],
      ])
    }
    let kcds: [(String, JSON)] = [
      ("web", ["imageRepo": "ghcr.io/kcd-demo/web", "tag": "main", "selector": ["app": "web"], "pollIntervalSeconds": 0, "timeoutSeconds": 60]),
      ("db", ["imageRepo": "ghcr.io/kcd-demo/db", "tag": "main", "selector": ["app": "db"], "pollIntervalSeconds": 0]),
      ("shop", ["imageRepo": "ghcr.io/kcd-demo/shop", "tag": "main", "selector": ["app": "shop"], "pollIntervalSeconds": 0,
                "strategy": ["kind": "ServiceBlueGreen",
                             "blueGreen": ["serviceName": "shop", "verificationServiceName": "shop-preview", "labelNames": ["color"], "scaleDown": true]]]),
    ]
    // The CRD is served at once by KubeSim; a real cluster may need a moment.
    for (name, spec) in kcds {
      var lastError: KubeError?
      for _ in 0..<50 {
        do {
          _ = try client.create(.kcds, namespace: "demo", ["apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": .string(name)], "spec": spec])
          lastError = nil
          break
        } catch {
          lastError = error
          usleep(100_000)
        }
      }
      if let e = lastError { throw e }
    }
  }
}
