@testable import KcdController
import KcdJSON
import KcdTestSupport
import Testing

/// Every workload kind of SPEC §4 under one KCD: a Deployment, a StatefulSet, a DaemonSet, a
/// CronJob and a bare ReplicaSet all take the pinned image; the rollout waits for the kinds
/// that roll out, by kubectl's rules.
@Suite(.timeLimit(.minutes(3)))
struct WorkloadKindsTests {
  static let manifests = """
    apiVersion: v1
    kind: Namespace
    metadata: {name: shop}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: shop, labels: {team: shop}}
    spec:
      replicas: 2
      selector: {matchLabels: {app: api}}
      template: {metadata: {labels: {app: api}}, spec: {containers: [{name: app, image: "registry.example/shop/app:1"}]}}
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: shop, labels: {team: shop}}
    spec:
      replicas: 2
      serviceName: db
      selector: {matchLabels: {app: db}}
      template: {metadata: {labels: {app: db}}, spec: {containers: [{name: app, image: "registry.example/shop/app:1"}]}}
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent, namespace: shop, labels: {team: shop}}
    spec:
      selector: {matchLabels: {app: agent}}
      template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: app, image: "registry.example/shop/app:1"}]}}
    ---
    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: report, namespace: shop, labels: {team: shop}}
    spec:
      schedule: "*/5 * * * *"
      jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: app, image: "registry.example/shop/app:1"}]}}}}
    ---
    apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: legacy, namespace: shop, labels: {team: shop}}
    spec:
      replicas: 1
      selector: {matchLabels: {app: legacy}}
      template: {metadata: {labels: {app: legacy}}, spec: {containers: [{name: app, image: "registry.example/shop/app:1"}]}}
    ---
    apiVersion: kcd.dev/v1
    kind: KCD
    metadata: {name: app, namespace: shop}
    spec: {imageRepo: registry.example/shop/app, tag: main, selector: {team: shop}, pollIntervalSeconds: 0}
    """

  @Test("one callback updates every kind and the KCD succeeds once the rolling kinds are done")
  func allKinds() throws {
    let sim = try SimProcess()
    var r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: SpineEndToEndTests.crd)
    #expect(r.status == 0, "\(r)")
    r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: Self.manifests)
    #expect(r.status == 0, "\(r)")
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    let digest = randomDigest()
    let sent = try kcd.send(repository: "registry.example/shop/app", tag: "main", digest: digest, version: "77aa00b")
    #expect(sent.status == 0, "\(sent)")
    func status() -> JSON {
      guard let r = try? sim.kubectl(Kubectl.machine, ["get", "kcd", "app", "-n", "shop", "-o", "json"]) else { return .null }
      return (try? JSON.parse(r.stdout))?["status"] ?? .null
    }
    #expect(eventually(timeout: 90) { status()["currStatus"] == "Success" }, "\(status()) \(kcd.child.errorOutput.suffix(2000))")
    let want = "registry.example/shop/app:77aa00b@\(digest)"
    for (kind, name, path) in [("deploy", "api", "{.spec.template.spec.containers[0].image}"), ("sts", "db", "{.spec.template.spec.containers[0].image}"),
                               ("ds", "agent", "{.spec.template.spec.containers[0].image}"),
                               ("cronjob", "report", "{.spec.jobTemplate.spec.template.spec.containers[0].image}"),
                               ("rs", "legacy", "{.spec.template.spec.containers[0].image}")] {
      let image = try sim.kubectl(Kubectl.machine, ["get", kind, name, "-n", "shop", "-o", "jsonpath=" + path]).stdout
      #expect(image == want, "\(kind)/\(name)")
    }
    let kinds = Set((status()["rollout"]["workloads"].arrayValue ?? []).compactMap { $0["kind"].stringValue })
    #expect(kinds == ["Deployment", "StatefulSet", "DaemonSet", "CronJob", "ReplicaSet"])
    let sts = try JSON.parse(try sim.kubectl(Kubectl.machine, ["get", "sts", "db", "-n", "shop", "-o", "json"]).stdout)
    #expect(sts["status"]["updatedReplicas"] == 2 && sts["status"]["readyReplicas"] == 2, "the StatefulSet rolled before Success")
  }

  @Test("kubectl's StatefulSet and DaemonSet rules", arguments: [
    ("sts not observed", WorkloadKind.statefulSet,
     #"{"metadata":{"generation":2},"spec":{"replicas":2},"status":{"observedGeneration":1,"readyReplicas":2,"updatedReplicas":2}}"#, "waiting"),
    ("sts not ready", .statefulSet, #"{"metadata":{"generation":2},"spec":{"replicas":3},"status":{"observedGeneration":2,"readyReplicas":2,"updatedReplicas":3}}"#, "waiting"),
    ("sts partition", .statefulSet,
     #"{"metadata":{"generation":2},"spec":{"replicas":3,"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":1}}},"status":{"observedGeneration":2,"readyReplicas":3,"updatedReplicas":2}}"#, "done"),
    ("sts OnDelete", .statefulSet, #"{"metadata":{"generation":1},"spec":{"updateStrategy":{"type":"OnDelete"}},"status":{"observedGeneration":1}}"#, "failed"),
    ("ds updating", .daemonSet, #"{"metadata":{"generation":2},"status":{"observedGeneration":2,"desiredNumberScheduled":3,"updatedNumberScheduled":2,"numberAvailable":3}}"#, "waiting"),
    ("ds unavailable", .daemonSet, #"{"metadata":{"generation":2},"status":{"observedGeneration":2,"desiredNumberScheduled":3,"updatedNumberScheduled":3,"numberAvailable":2}}"#, "waiting"),
    ("ds done", .daemonSet, #"{"metadata":{"generation":2},"status":{"observedGeneration":2,"desiredNumberScheduled":3,"updatedNumberScheduled":3,"numberAvailable":3}}"#, "done"),
    ("cronjob", .cronJob, #"{"metadata":{"generation":5}}"#, "done"),
  ])
  func rules(name: String, kind: WorkloadKind, text: String, expected: String) throws {
    let outcome: String
    switch kind.check(Workload(json: try JSON.parse(text), kind: kind)) {
    case .done: outcome = "done"
    case .waiting: outcome = "waiting"
    case .failed: outcome = "failed"
    }
    #expect(outcome == expected, "\(name)")
  }
}
