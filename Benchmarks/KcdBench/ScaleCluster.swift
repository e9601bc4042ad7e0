import KcdCore
import KcdJSON
import KcdYAML
import KubeSim

#if canImport(Glibc)
import Glibc
#endif

/// The simulated cluster of one scale, in the bench process so patches can be seen in the
/// store the moment they land: KubeSim over HTTPS on loopback (as an API server in a cluster),
/// the KCD CRD, and `kcds` KCDs, 10 to a namespace (a team's), each selecting its own 3
/// Deployments, each Deployment with its ReplicaSet. Rollouts are completed by the bench's
/// `RolloutDriver`, or with `kubeSimSimulator` by KubeSim's workload simulator (which also
/// makes pods, but does not keep up past a few thousand Deployments).
final class ScaleCluster: Sendable {
  static let kcdsPerNamespace = 10
  static let deploymentsPerKCD = 3
  /// KubeSim simulator only: simulated seconds per real second. A pod starts in 30 ms, and the
  /// 600 s progress deadline still leaves 6 real seconds.
  static let timeScale = 100.0

  let sim: KubeSim
  let kcdType: ResourceType
  let kcds: Int
  let rollouts: RolloutDriver

  init(kcds: Int, kubeSimSimulator: Bool) throws {
    var options = KubeSim.Options()
    options.simulator.timeScale = ScaleCluster.timeScale
    // A real API server keeps minutes of changes (etcd compacts every 5 min); a burst at this
    // scale makes tens of thousands.
    options.historyLimit = 200_000
    sim = try KubeSim(options: options)
    // kube-apiserver's watch cache sends each watcher a bookmark about once a minute; KubeSim's
    // default (every second) suits tests, not an idle-CPU measurement.
    sim.api.bookmarkInterval = 60
    if !kubeSimSimulator { sim.simulator.stop() }
    rollouts = RolloutDriver(store: sim.store, completes: !kubeSimSimulator)
    self.kcds = kcds
    let crdPath = ScaleCluster.locate("charts/kcd/crds/kcd.yaml")
    let crd = try YAML.parse(String(decoding: try FileIO.read(crdPath), as: UTF8.self))
    _ = try sim.store.create(BuiltinResources.customResourceDefinitions, namespace: "", object: crd)
    guard let type = sim.store.resourceType(group: "kcd.dev", version: "v1", plural: "kcds") else { throw ScaleError("the KCD CRD did not register") }
    kcdType = type
    for n in 0..<(kcds + ScaleCluster.kcdsPerNamespace - 1) / ScaleCluster.kcdsPerNamespace {
      _ = try sim.store.create(BuiltinResources.namespaces, namespace: "", object: ["metadata": ["name": .string(ScaleCluster.namespace(n))]])
    }
    for i in 0..<kcds { try load(i) }
    rollouts.start()
  }

  static func namespace(_ n: Int) -> String { "scale-\(n)" }
  func namespace(of i: Int) -> String { ScaleCluster.namespace(i / ScaleCluster.kcdsPerNamespace) }
  func deploymentNames(of i: Int) -> [String] { (0..<ScaleCluster.deploymentsPerKCD).map { "app-\(i)-\($0)" } }
  static func repository(of i: Int) -> String { "registry.example/app-\(i)" }

  /// KCD app-i and its Deployments, straight into the store. The KCD carries the status kcd
  /// itself writes for a KCD that has seen no image yet: the cluster kcd finds is one it ran
  /// against before (a restart or upgrade), not one it has to initialise.
  func load(_ i: Int) throws {
    let ns = namespace(of: i)
    for name in deploymentNames(of: i) {
      let labels: JSON = ["app": .string(name), "kcdapp": .string("app-\(i)")]
      let d = try sim.store.create(BuiltinResources.deployments, namespace: ns, object: [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "labels": labels],
        "spec": ["replicas": 1, "selector": ["matchLabels": ["app": .string(name)]],
                 "template": ["metadata": ["labels": labels],
                              "spec": ["containers": [["name": "app", "image": .string(ScaleCluster.repository(of: i) + ":1.0")]]]]],
      ])
      if rollouts.completes { try rollouts.settle(loaded: d) }
    }
    let kcd = try sim.store.create(kcdType, namespace: ns, object: [
      "apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": .string("app-\(i)")],
      "spec": ["imageRepo": .string(ScaleCluster.repository(of: i)), "tag": "main", "selector": ["kcdapp": .string("app-\(i)")]],
    ])
    let generation = kcd["metadata"]["generation"].intValue ?? 1
    let status: JSON = [
      "observedGeneration": .int(generation),
      "conditions": [["type": "Ready", "status": "Unknown", "reason": "NoRolloutYet", "message": "waiting for an image event",
                      "observedGeneration": .int(generation), "lastTransitionTime": .string(Timestamps.rfc3339(Timestamps.now()))]],
    ]
    _ = try sim.store.modify(kcdType, namespace: ns, name: "app-\(i)", subresource: "status") { old in
      var o = old
      o["status"] = status
      return o
    }
  }

  /// The images of KCD i's Deployments' first container, as stored.
  func images(of i: Int) -> [String?] {
    let ns = namespace(of: i)
    return deploymentNames(of: i).map { sim.store.get(BuiltinResources.deployments, namespace: ns, name: $0)?["spec"]["template"]["spec"]["containers"][0]["image"].stringValue }
  }

  /// A Deployment's first container image, as stored.
  func image(namespace: String, deployment: String) -> String? {
    sim.store.get(BuiltinResources.deployments, namespace: namespace, name: deployment)?["spec"]["template"]["spec"]["containers"][0]["image"].stringValue
  }

  /// When the API server accepted the first patch of each Deployment answered at or after
  /// `wallStart` (seconds since the epoch), from its request log: the moment the patch landed,
  /// however busy the bench's own threads were. Keys are `namespace/name`.
  func patchAcceptedTimes(since wallStart: Double) -> [String: Double] {
    var out: [String: Double] = [:]
    let prefix = "/apis/apps/v1/namespaces/"
    for r in sim.api.requestLog.records where r.method == "PATCH" && r.code == 200 && r.at >= wallStart && r.path.hasPrefix(prefix) {
      let rest = r.path.dropFirst(prefix.count).split(separator: "/")
      guard rest.count == 3, rest[1] == "deployments" else { continue }
      let key = "\(rest[0])/\(rest[2])"
      if out[key] == nil { out[key] = r.at }
    }
    return out
  }

  /// Whether every Deployment of KCD i carries `image`.
  func isPatched(_ i: Int, to image: String) -> Bool { images(of: i).allSatisfy { $0 == image } }

  /// Waits until the simulator has every Deployment available; returns whether it did within
  /// `limit` seconds. Only the ones still pending are read again, and the bench sleeps four times
  /// as long as it read, so the wait does not take the simulator's core.
  func waitUntilAvailable(limit: Double) -> Bool {
    let start = monotonicSeconds()
    var pending = sim.store.list(BuiltinResources.deployments, namespace: nil).items.filter { !ScaleCluster.isAvailable($0) }.map { ($0["metadata"]["namespace"].stringValue ?? "", $0["metadata"]["name"].stringValue ?? "") }
    while !pending.isEmpty && monotonicSeconds() - start < limit {
      let pass = monotonicSeconds()
      pending.removeAll { key in sim.store.get(BuiltinResources.deployments, namespace: key.0, name: key.1).map(ScaleCluster.isAvailable) ?? true }
      usleep(UInt32(max(0.05, 4 * (monotonicSeconds() - pass)) * 1_000_000))
    }
    return pending.isEmpty
  }

  /// The simulator has seen the current spec and every replica is updated and available.
  static func isAvailable(_ d: JSON) -> Bool {
    let want = d["spec"]["replicas"].intValue ?? 1
    let s = d["status"]
    return s["observedGeneration"].intValue == d["metadata"]["generation"].intValue
      && (s["updatedReplicas"].intValue ?? 0) == want && (s["availableReplicas"].intValue ?? 0) == want && (s["replicas"].intValue ?? 0) == want
  }

  /// KCD i's push has landed and finished: its Deployments run `image` and are available, and
  /// its status no longer says Progressing.
  func isSettled(_ i: Int, on image: String) -> Bool {
    let ns = namespace(of: i)
    for name in deploymentNames(of: i) {
      guard let d = sim.store.get(BuiltinResources.deployments, namespace: ns, name: name),
        d["spec"]["template"]["spec"]["containers"][0]["image"].stringValue == image, ScaleCluster.isAvailable(d) else { return false }
    }
    return kcdStatus(i) != "Progressing"
  }

  var deploymentCount: Int { kcds * ScaleCluster.deploymentsPerKCD }

  /// Why KCD i has not settled on `image` (for the report when a wait gives up).
  func whyNotSettled(_ i: Int, on image: String) -> String {
    let ns = namespace(of: i)
    let status = sim.store.get(kcdType, namespace: ns, name: "app-\(i)")?["status"] ?? .null
    let kcd = "KCD \(ns)/app-\(i) is \(status["currStatus"].stringValue ?? "without status"): \(status["message"].stringValue ?? "")"
    for name in deploymentNames(of: i) {
      guard let d = sim.store.get(BuiltinResources.deployments, namespace: ns, name: name) else { return "\(ns)/\(name) is gone" }
      let current = d["spec"]["template"]["spec"]["containers"][0]["image"].stringValue ?? "none"
      if current != image { return "\(ns)/\(name) runs \(current); \(kcd)" }
      if !ScaleCluster.isAvailable(d) { return "\(ns)/\(name) is not available yet (status \(d["status"].text))" }
    }
    return kcd
  }

  /// The KCD's `status.currStatus` as stored.
  func kcdStatus(_ i: Int) -> String? {
    sim.store.get(kcdType, namespace: namespace(of: i), name: "app-\(i)")?["status"]["currStatus"].stringValue
  }

  /// KCDs whose status says a rollout is in flight.
  func progressingKCDs() -> Int {
    sim.store.list(kcdType, namespace: nil).items.count { $0["status"]["currStatus"].stringValue == "Progressing" }
  }

  /// Requests logged since the log was last cleared (kcd is the only client) and the store's
  /// revision: while either moves, kcd or the workload simulator is still at work.
  var activity: [Int64] { [Int64(sim.api.requestLog.count), sim.store.currentRevision] }

  /// The request log (method, path, code) since it was last cleared.
  var requests: [RequestRecord] { sim.api.requestLog.records }

  func clearRequests() { sim.api.requestLog.clear() }

  func stop() {
    rollouts.stop()
    sim.stop()
  }

  /// Tells the rollout driver which image KCD i's Deployments are about to get.
  func expect(_ push: Push) {
    for name in deploymentNames(of: push.kcd) { rollouts.expect(namespace: namespace(of: push.kcd), name: name, image: push.pinnedImage) }
  }

  /// A repository file: from the working directory, else from the package root two folders
  /// above the binary (`.build-bench/release/kcd-bench`).
  static func locate(_ relative: String) -> String {
    if FileIO.exists(relative) { return relative }
    return ScaleBinary.packageRoot + "/" + relative
  }
}

/// Where the bench binary lives, and the `kcd` binary built next to it.
enum ScaleBinary {
  static var directory: String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return "." }
    return FileIO.directory(of: String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
  }

  static var kcd: String { directory + "/kcd" }

  /// `<root>/.build-bench/release` → `<root>` (the release folder is a symlink to the triple's).
  static var packageRoot: String { FileIO.directory(of: FileIO.directory(of: FileIO.directory(of: directory))) }
}
