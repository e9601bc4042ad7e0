import KcdJSON
import KcdTestSupport
import Testing

/// kubectl 1.32 and 1.33 send `kubectl create …` bodies as protobuf and ask for protobuf back;
/// against `kcd sim` as a process they must create the objects and read them back with JSON.
@Suite(.timeLimit(.minutes(3)))
struct ProtobufKubectlTests {
  static let binaries = Kubectl.versioned.filter { $0.hasSuffix(".1.32") || $0.hasSuffix(".1.33") }.filter(TestEnvironment.executableExists)

  @Test("create namespace, configmap, secret and deployment; get them back", arguments: binaries)
  func createAndGet(kubectl: String) throws {
    let sim = try SimProcess()
    func k(_ args: String...) throws -> ProcessResult { try sim.kubectl(kubectl, args) }

    var r = try k("create", "namespace", "shop")
    #expect(r.status == 0 && r.stdout.contains("namespace/shop created"), "\(r)")
    r = try k("create", "configmap", "settings", "-n", "shop", "--from-literal=mode=one", "--from-literal=level=3")
    #expect(r.status == 0 && r.stdout.contains("configmap/settings created"), "\(r)")
    r = try k("create", "secret", "generic", "creds", "-n", "shop", "--from-literal=password=s3cr3t")
    #expect(r.status == 0 && r.stdout.contains("secret/creds created"), "\(r)")
    r = try k("create", "deployment", "web", "-n", "shop", "--image=registry.example/web:1.0", "--replicas=2", "--port=8080")
    #expect(r.status == 0 && r.stdout.contains("deployment.apps/web created"), "\(r)")

    // Failures come back as JSON Status even though protobuf was asked; kubectl shows them.
    r = try k("create", "configmap", "settings", "-n", "shop", "--from-literal=mode=two")
    #expect(r.status != 0 && r.stderr.contains("configmaps \"settings\" already exists"), "\(r)")

    // `-o json` prints the object kubectl decoded from KubeSim's protobuf answer.
    r = try k("create", "deployment", "api", "-n", "shop", "--image=registry.example/api:1.0", "-o", "json")
    #expect(r.status == 0, "\(r)")
    let answered = try JSON.parse(r.stdout)
    #expect(answered["metadata"]["uid"].stringValue?.count == 36 && answered["spec"]["replicas"] == 1, "\(r)")
    #expect(answered["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == "25%")

    r = try k("get", "namespace", "shop", "-o", "json")
    #expect(r.status == 0, "\(r)")
    #expect(try JSON.parse(r.stdout)["status"]["phase"] == "Active")
    r = try k("get", "configmap", "settings", "-n", "shop", "-o", "json")
    #expect(r.status == 0, "\(r)")
    #expect(try JSON.parse(r.stdout)["data"] == ["mode": "one", "level": "3"])
    r = try k("get", "secret", "creds", "-n", "shop", "-o", "json")
    let secret = try JSON.parse(r.stdout)
    #expect(r.status == 0 && secret["data"] == ["password": "czNjcjN0"] && secret["type"] == "Opaque", "\(r)")
    r = try k("get", "deployment", "web", "-n", "shop", "-o", "json")
    let deployment = try JSON.parse(r.stdout)
    #expect(r.status == 0 && deployment["spec"]["replicas"] == 2, "\(r)")
    let container = deployment["spec"]["template"]["spec"]["containers"][0]
    #expect(container["name"] == "web" && container["image"] == "registry.example/web:1.0")
    #expect(container["ports"] == [["containerPort": 8080, "protocol": "TCP"]])
    #expect(deployment["spec"]["selector"]["matchLabels"] == ["app": "web"])

    r = try k("rollout", "status", "deployment/web", "-n", "shop", "--timeout=60s")
    #expect(r.status == 0 && r.stdout.contains("successfully rolled out"), "\(r)")

    let creates = try sim.requestLog().filter { $0["method"] == "POST" && $0["code"] != 409 }
    #expect(creates.count == 5)
    #expect(creates.allSatisfy { $0["contentType"] == "application/vnd.kubernetes.protobuf" && $0["code"] == 201 }, "\(creates)")
  }
}
