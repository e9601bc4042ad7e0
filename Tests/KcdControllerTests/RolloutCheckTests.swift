import KcdController
import KcdJSON
import Testing

/// `RolloutCheck`: kubectl's `rollout status` rules for Deployments, in kubectl's order, and the
/// early failure on pods that will never start.
@Suite struct RolloutCheckTests {
  /// A Deployment with the given rollout numbers and conditions.
  static func deployment(generation: Int64 = 2, observed: Int64 = 2, replicas: Int64? = 3, updated: Int64 = 3, current: Int64 = 3,
                         available: Int64 = 3, conditions: [JSON] = []) -> JSON {
    var spec: JSON = ["selector": ["matchLabels": ["app": "web"]]]
    if let replicas { spec["replicas"] = .int(replicas) }
    return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "shop", "generation": .int(generation)],
            "spec": spec,
            "status": ["observedGeneration": .int(observed), "replicas": .int(current), "updatedReplicas": .int(updated),
                       "availableReplicas": .int(available), "conditions": .array(conditions)]]
  }

  static let progressing: JSON = ["type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ok"]
  static let deadline: JSON = ["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                               "message": "ReplicaSet \"web-7d4\" has timed out progressing."]
  static let replicaFailure: JSON = ["type": "ReplicaFailure", "status": "True", "reason": "FailedCreate",
                                     "message": "pods \"web-7d4-x\" is forbidden: exceeded quota"]

  static let cases: [(String, JSON, RolloutCheck)] = [
    ("spec change not observed yet", deployment(generation: 3, observed: 2),
     .waiting("waiting for the deployment spec update to be observed")),
    ("no status at all", ["metadata": ["generation": 1], "spec": ["replicas": 1]],
     .waiting("waiting for the deployment spec update to be observed")),
    ("progress deadline exceeded", deployment(updated: 1, conditions: [deadline]),
     .failed(reason: "ProgressDeadlineExceeded", message: "deployment exceeded its progress deadline: ReplicaSet \"web-7d4\" has timed out progressing.")),
    ("a deadline from before the new generation was observed waits", deployment(generation: 3, observed: 2, conditions: [deadline]),
     .waiting("waiting for the deployment spec update to be observed")),
    ("replica failure", deployment(updated: 1, conditions: [progressing, replicaFailure]),
     .failed(reason: "ReplicaFailure", message: "pods \"web-7d4-x\" is forbidden: exceeded quota")),
    ("replica failure condition that is False", deployment(conditions: [["type": "ReplicaFailure", "status": "False", "message": "x"]]), .done),
    ("fewer updated than wanted", deployment(updated: 1, current: 4, available: 3, conditions: [progressing]),
     .waiting("1 of 3 new replicas have been updated")),
    ("old replicas pending termination", deployment(updated: 3, current: 5, available: 3),
     .waiting("2 old replicas are pending termination")),
    ("updated but not yet available", deployment(updated: 3, current: 3, available: 2),
     .waiting("2 of 3 updated replicas are available")),
    ("done", deployment(conditions: [progressing]), .done),
    ("generation behind observed is done too", deployment(generation: 2, observed: 5), .done),
    ("scaled to zero", deployment(replicas: 0, updated: 0, current: 0, available: 0), .done),
    ("replicas unset defaults to 1", deployment(replicas: nil, updated: 0, current: 1, available: 1),
     .waiting("0 of 1 new replicas have been updated")),
  ]

  @Test("deployment follows kubectl rollout status", arguments: cases)
  func deployment(_ name: String, _ d: JSON, _ expected: RolloutCheck) {
    #expect(RolloutCheck.deployment(Workload(json: d, kind: .deployment)) == expected, "\(name)")
  }

  static let image = "registry.example/shop/web:3ae8d1b@sha256:" + String(repeating: "a", count: 64)

  static func pod(_ name: String, image: String, waiting reason: String?, sidecar: Bool = false) -> JSON {
    var containers: [JSON] = [["name": "web", "image": .string(image)]]
    if sidecar { containers.append(["name": "proxy", "image": "registry.example/shop/proxy:2.0"]) }
    let state: JSON = reason.map { ["waiting": ["reason": .string($0), "message": "back-off"]] } ?? ["running": ["startedAt": "2024-01-01T00:00:00Z"]]
    return ["metadata": ["name": .string(name)], "spec": ["containers": .array(containers)],
            "status": ["containerStatuses": [["name": "web", "image": .string(image), "state": state]]]]
  }

  static func summaries(_ pods: [JSON]) -> [PodSummary] { pods.map(PodSummary.init(json:)) }

  @Test("a pod of the new image in a fatal waiting state fails the rollout", arguments: RolloutCheck.fatalWaitingReasons.sorted())
  func fatal(_ reason: String) {
    let pods = [Self.pod("web-1", image: Self.image, waiting: nil), Self.pod("web-2", image: Self.image, waiting: reason, sidecar: true)]
    #expect(RolloutCheck.stuckPod(pods.map(PodSummary.init(json:)), image: Self.image) == .failed(reason: reason, message: "pod web-2 container web: \(reason)"))
  }

  @Test("the fatal reasons are the five that never recover")
  func fatalSet() {
    #expect(RolloutCheck.fatalWaitingReasons == ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "InvalidImageName"])
  }

  @Test("a stuck pod of another image (the old version) is not this rollout's failure")
  func otherImage() {
    let pods = [Self.pod("web-old", image: "registry.example/shop/web:1.0", waiting: "CrashLoopBackOff")]
    #expect(RolloutCheck.stuckPod(pods.map(PodSummary.init(json:)), image: Self.image) == nil)
  }

  @Test("ContainerCreating, running pods and no pods are not stuck")
  func notStuck() {
    #expect(RolloutCheck.stuckPod(Self.summaries([Self.pod("web-1", image: Self.image, waiting: "ContainerCreating")]), image: Self.image) == nil)
    #expect(RolloutCheck.stuckPod(Self.summaries([Self.pod("web-1", image: Self.image, waiting: nil)]), image: Self.image) == nil)
    #expect(RolloutCheck.stuckPod([], image: Self.image) == nil)
    #expect(RolloutCheck.stuckPod(Self.summaries([["metadata": ["name": "bare"], "spec": ["containers": [["name": "web", "image": .string(Self.image)]]]]]),
                                  image: Self.image) == nil, "a pod without status yet")
  }
}
