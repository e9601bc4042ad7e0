import KcdJSON
import KcdTestSupport
import Testing

/// Real kubectl against `kcd sim` as a separate process: the machine's kubectl (which picks its
/// version from the server's /version), each versioned kubectl it dispatches to (1.27–1.33,
/// called directly) and Debian's kubectl 1.20.2. The cases run in parallel, one sim each.
@Suite(.timeLimit(.minutes(5)))
struct KubectlConformanceTests {
  static let binaries = [Kubectl.machine] + Kubectl.all

  static func fixture(_ name: String) -> String {
    TestEnvironment.read(TestEnvironment.packageRoot + "/Tests/KubeSimTests/Fixtures/" + name) ?? ""
  }

  @Test("the kubectl binaries are installed")
  func binariesArePresent() throws {
    #expect(TestEnvironment.executableExists(Kubectl.debian120), "run scripts/setup.sh to unpack kubectl 1.20.2")
    for binary in Kubectl.versioned { #expect(TestEnvironment.executableExists(binary), "\(binary) is missing") }
    let r = try Subprocess.run([Kubectl.machine, "version", "--client"])
    #expect(r.status == 0)
  }

  @Test("apply, get, patch, rollout and delete", arguments: binaries)
  func lifecycle(kubectl: String) throws {
    let sim = try SimProcess()
    func k(_ args: String..., input: String? = nil) throws -> ProcessResult { try sim.kubectl(kubectl, args, input: input) }

    // kubectl 1.32 and later send these bodies as protobuf.
    var r = try k("create", "namespace", "x")
    #expect(r.status == 0 && r.stdout.contains("namespace/x created"), "\(r)")
    r = try k("create", "configmap", "c", "-n", "x", "--from-literal=a=b")
    #expect(r.status == 0 && r.stdout.contains("configmap/c created"), "\(r)")
    r = try k("get", "configmap", "c", "-n", "x", "-o", "jsonpath={.data.a}")
    #expect(r.status == 0 && r.stdout == "b", "\(r)")

    r = try k("apply", "-f", "-", input: Self.fixture("base.yaml"))
    #expect(r.status == 0, "\(r)")
    for created in ["namespace/shop created", "deployment.apps/web created", "service/web created", "configmap/settings created",
                    "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created"] {
      #expect(r.stdout.contains(created), "\(r)")
    }
    r = try k("apply", "-f", "-", input: Self.fixture("widget.yaml"))
    #expect(r.status == 0 && r.stdout.contains("widget.example.com/blue created"), "\(r)")

    // get -o json: defaults, pruning and system metadata are there.
    r = try k("get", "widget", "blue", "-n", "shop", "-o", "json")
    let widget = try JSON.parse(r.stdout)
    #expect(widget["spec"]["size"] == 3)
    #expect(widget["spec"]["extra"].isNull)
    #expect(widget["metadata"]["uid"].stringValue?.count == 36)
    r = try k("get", "deploy", "web", "-n", "shop", "-o", "json")
    let deploy = try JSON.parse(r.stdout)
    #expect(deploy["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == "25%")
    #expect(deploy["spec"]["progressDeadlineSeconds"] == 20)
    r = try k("get", "svc", "web", "-n", "shop", "-o", "json")
    #expect(try JSON.parse(r.stdout)["spec"]["ports"][0]["protocol"] == "TCP")

    r = try k("rollout", "status", "deploy/web", "-n", "shop", "--timeout=60s")
    #expect(r.status == 0 && r.stdout.contains("successfully rolled out"), "\(r)")

    // get -w sees the MODIFIED event of a later change.
    let watch = try sim.startKubectl(kubectl, ["get", "configmap", "settings", "-n", "shop", "-w", "--output-watch-events", "-o", "json"])
    #expect(watch.waitForOutput(containing: "\"ADDED\"", timeout: 30), "\(watch.output) \(watch.errorOutput)")
    r = try k("patch", "configmap", "settings", "-n", "shop", "--type", "merge", "-p", #"{"data":{"mode":"two"}}"#)
    #expect(r.status == 0, "\(r)")
    #expect(watch.waitForOutput(containing: "\"MODIFIED\"", timeout: 30), "\(watch.output) \(watch.errorOutput)")
    #expect(watch.output.contains("\"two\""))
    watch.kill()

    // The three patch types, and the failures kubectl must surface.
    r = try k("patch", "deploy", "web", "-n", "shop", "--type", "strategic", "-p",
              #"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"registry.example/web:2.0"}]}}}}"#)
    #expect(r.status == 0, "\(r)")
    r = try k("patch", "deploy", "web", "-n", "shop", "--type", "json", "-p", #"[{"op":"replace","path":"/spec/replicas","value":2}]"#)
    #expect(r.status == 0, "\(r)")
    r = try k("get", "deploy", "web", "-n", "shop", "-o", "json")
    let patched = try JSON.parse(r.stdout)
    #expect(patched["spec"]["replicas"] == 2)
    #expect(patched["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/web:2.0")
    #expect(patched["spec"]["template"]["spec"]["containers"][1]["image"] == "registry.example/side:1.0", "strategic merge keeps the sibling container")
    r = try k("patch", "deploy", "web", "-n", "shop", "--type", "json", "-p", #"[{"op":"test","path":"/spec/replicas","value":5}]"#)
    #expect(r.status != 0 && r.stderr.contains("The request is invalid"), "\(r)")
    #expect(try sim.requestLog().last?["code"] == 422)
    r = try k("patch", "widget", "blue", "-n", "shop", "--type", "strategic", "-p", #"{"spec":{"color":"red"}}"#)
    #expect(r.status != 0 && r.stderr.contains("application/json-patch+json, application/merge-patch+json"), "\(r)")
    r = try k("patch", "widget", "blue", "-n", "shop", "--type", "merge", "-p", #"{"spec":{"color":"red"}}"#)
    #expect(r.status == 0, "\(r)")
    let log = try sim.requestLog()
    #expect(log.contains { $0["method"] == "PATCH" && $0["path"] == "/apis/example.com/v1/namespaces/shop/widgets/blue" && $0["code"] == 415 })

    r = try k("rollout", "status", "deploy/web", "-n", "shop", "--timeout=60s")
    #expect(r.status == 0, "\(r)")

    // A fail-progress image never becomes available: rollout status gives up after the deadline.
    r = try k("set", "image", "deploy/web", "-n", "shop", "app=registry.example/web:fail-progress")
    #expect(r.status == 0, "\(r)")
    r = try k("rollout", "status", "deploy/web", "-n", "shop", "--timeout=90s")
    #expect(r.status != 0 && r.stderr.contains("exceeded its progress deadline"), "\(r)")

    // History and undo.
    r = try k("rollout", "history", "deploy/web", "-n", "shop")
    #expect(r.status == 0, "\(r)")
    let revisions = r.stdout.split(separator: "\n").filter { $0.first?.isNumber == true }
    #expect(revisions.count == 3, "\(r)")
    r = try k("rollout", "undo", "deploy/web", "-n", "shop")
    #expect(r.status == 0 && r.stdout.contains("rolled back"), "\(r)")
    r = try k("rollout", "status", "deploy/web", "-n", "shop", "--timeout=60s")
    #expect(r.status == 0, "\(r)")
    r = try k("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.template.spec.containers[0].image}")
    #expect(r.stdout == "registry.example/web:2.0", "\(r)")

    // delete: objects go; the namespace terminates and takes the rest with it.
    r = try k("delete", "widget", "blue", "-n", "shop")
    #expect(r.status == 0, "\(r)")
    r = try k("delete", "deploy", "web", "-n", "shop")
    #expect(r.status == 0, "\(r)")
    r = try k("get", "deploy", "web", "-n", "shop")
    #expect(r.status != 0 && r.stderr.contains("NotFound"), "\(r)")
    r = try k("delete", "-f", "-", "--ignore-not-found", "--wait=true", input: Self.fixture("base.yaml"))
    #expect(r.status == 0, "\(r)")
    r = try k("get", "namespace", "shop")
    #expect(r.status != 0 && r.stderr.contains("NotFound"), "\(r)")
    r = try k("get", "crd")
    #expect(!r.stdout.contains("widgets.example.com"), "\(r)")
  }
}
