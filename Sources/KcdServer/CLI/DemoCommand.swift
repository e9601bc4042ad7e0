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

/// `kcd demo`: a simulated cluster with a Deployment and a KCD, the controller, and one command
/// to paste that rolls the Deployment to a new digest.
enum DemoCommand {
  static let usage = """
    Usage: kcd demo [--hooks-addr 127.0.0.1:8080] [--api-addr 127.0.0.1:8081] [--crd charts/kcd/crds/kcd.yaml]

    Starts KubeSim seeded with namespace demo, a 3-replica Deployment web and a KCD following
    ghcr.io/kcd-demo/web:main, runs kcd against it, and prints a signed `kcd hooks send` that rolls
    web out to a new digest. Runs until interrupted.
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

    let digest = "sha256:" + Digest.hex(Digest.sha256(SecureRandom.bytes(32)))
    let version = String(Digest.hex(SecureRandom.bytes(4)).prefix(7))
    let binary = CommandLine.arguments[0]
    Console.out("""

      kcd demo is running.
        simulated cluster:  \(sim.url)   (KUBECONFIG=\(kubeconfig) kubectl get deploy,kcd -n demo)
        kcd hooks:          http://127.0.0.1:\(runtime.hooksServer.port)/hooks/ci
        kcd API:            http://127.0.0.1:\(runtime.apiServer.port)/api/v1/namespaces/demo/kcds/web

      Roll web out to a new image by sending the signed CI callback a pipeline would send:

        \(binary) hooks send --url http://127.0.0.1:\(runtime.hooksServer.port)/hooks/ci --secret-file \(directory)/hooks/ci --repository ghcr.io/kcd-demo/web --tag main --digest \(digest) --version \(version)

      Then watch it: curl -s http://127.0.0.1:\(runtime.apiServer.port)/api/v1/namespaces/demo/kcds/web
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
    let labels: JSON = ["app": "web"]
    _ = try client.create(.deployments, namespace: "demo", [
      "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "labels": labels],
      "spec": ["replicas": 3, "selector": ["matchLabels": labels],
               "template": ["metadata": ["labels": labels], "spec": ["containers": [["name": "web", "image": "ghcr.io/kcd-demo/web:1.0"]]]]],
    ])
    // The CRD is served at once by KubeSim; a real cluster may need a moment.
    var lastError: KubeError?
    for _ in 0..<50 {
      do {
        _ = try client.create(.kcds, namespace: "demo", [
          "apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": "web"],
          "spec": ["imageRepo": "ghcr.io/kcd-demo/web", "tag": "main", "selector": ["app": "web"], "container": ["name": "web"], "pollIntervalSeconds": 0],
        ])
        return
      } catch {
        lastError = error
        usleep(100_000)
      }
    }
    if let e = lastError { throw e }
  }
}
