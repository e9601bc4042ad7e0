import KcdController
import KcdJSON
import KcdKube
import KcdTestSupport
import Testing

/// Older clusters: kcd picks each workload kind's API version from discovery, so on
/// Kubernetes 1.20 (CronJobs served as batch/v1beta1 only) CronJobs still roll out.
@Suite(.timeLimit(.minutes(3)))
struct CronJobVersionTests {
  /// WorkloadKindsTests' namespace, CronJob and KCD, the CronJob written as batch/v1beta1.
  static var manifests: String {
    WorkloadKindsTests.manifests.split(separator: "---\n").filter { doc in ["Namespace", "CronJob", "KCD"].contains { doc.contains("kind: \($0)\n") } }
      .joined(separator: "---\n").replacing("apiVersion: batch/v1\n", with: "apiVersion: batch/v1beta1\n")
  }

  static func served(_ lists: [String: Set<String>]) -> (String) -> Set<String>? { { lists[$0] } }

  @Test("the first served version of each kind wins; a kind served nowhere keeps its preferred one", arguments: [
    ("1.20: batch/v1 has Jobs only", ["batch/v1": ["jobs"], "batch/v1beta1": ["cronjobs"]], "batch/v1beta1"),
    ("1.21-1.24: both", ["batch/v1": ["jobs", "cronjobs"], "batch/v1beta1": ["cronjobs"]], "batch/v1"),
    ("1.25+: v1 only", ["batch/v1": ["jobs", "cronjobs"]], "batch/v1"),
    ("neither", ["batch/v1": ["jobs"]], "batch/v1"),
  ] as [(String, [String: Set<String>], String)])
  func choice(name: String, lists: [String: Set<String>], expected: String) {
    let chosen = WorkloadResources.choose(served: Self.served(lists))
    #expect(chosen.resource(.cronJob).apiVersion == expected, "\(name)")
    #expect(chosen.resource(.deployment).apiVersion == "apps/v1")
    #expect(chosen.resource(.cronJob).plural == "cronjobs")
  }

  @Test("discovery against KubeSim: batch/v1beta1 at 1.20, batch/v1 at 1.30", arguments: [("1.20", "batch/v1beta1"), ("1.30", "batch/v1")])
  func discovery(version: String, expected: String) throws {
    let sim = try SimProcess(extraArguments: ["--server-version", version])
    let found = WorkloadResources.discover(KubeClient(connection: try KubeConfigLoader.load(kubeconfig: sim.kubeconfig, context: nil)))
    #expect(found.failure == nil)
    #expect(found.resources.resource(.cronJob).apiVersion == expected)
  }

  @Test("discovery that cannot reach the API server keeps the newest versions and says why")
  func discoveryFailure() throws {
    let sim = try SimProcess(extraArguments: ["--server-version", "1.20"])
    let connection = try KubeConfigLoader.load(kubeconfig: sim.kubeconfig, context: nil)
    sim.child.kill(signal: 15)
    _ = sim.child.wait(timeout: 5)
    let found = WorkloadResources.discover(KubeClient(connection: connection), within: 2)
    #expect(found.failure?.contains("/apis/batch/v1") == true, "\(found.failure ?? "nil")")
    #expect(found.resources == .preferred)
  }

  @Test("on a 1.20 cluster a push patches a batch/v1beta1 CronJob, pinned by digest, and kubectl 1.20 sees it")
  func rollsOutOn120() throws {
    let sim = try SimProcess(extraArguments: ["--server-version", "1.20"])
    try sim.apply([SpineEndToEndTests.crd, Self.manifests], kubectl: Kubectl.debian120)
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    let digest = try kcd.push(repository: "registry.example/shop/app", tag: "main", version: "77aa00b")
    func status() -> JSON { sim.json(["kcd", "app", "-n", "shop"], kubectl: Kubectl.debian120)["status"] }
    #expect(eventually(timeout: 60) { status()["currStatus"] == "Success" }, "\(status()) \(kcd.child.errorOutput.suffix(2000))")
    let image = try sim.kubectl(Kubectl.debian120, ["get", "cronjobs.v1beta1.batch", "report", "-n", "shop",
                                                     "-o", "jsonpath={.spec.jobTemplate.spec.template.spec.containers[0].image}"])
    #expect(image.status == 0 && image.stdout == "registry.example/shop/app:77aa00b@\(digest)", "\(image)")
    let patches = try sim.requestLog().filter { $0["method"] == "PATCH" && ($0["path"].stringValue ?? "").contains("/cronjobs/") }
      .compactMap { $0["path"].stringValue }
    #expect(patches == ["/apis/batch/v1beta1/namespaces/shop/cronjobs/report"], "\(patches)")
    let log = kcd.child.output + kcd.child.errorOutput
    #expect(log.contains("CronJob=batch/v1beta1"), "\(log.suffix(2000))")
    #expect(!log.contains("resource not served or not permitted"))
    let events = sim.json(["events", "-n", "shop"], kubectl: Kubectl.debian120)["items"].arrayValue ?? []
    let patched = events.first { $0["reason"] == "ImagePatched" }
    #expect(patched?["involvedObject"]["apiVersion"] == "batch/v1beta1", "\(events)")
  }
}
