@testable import KcdController
import KcdCore
import KcdJSON
import KcdKube

/// A tiny in-memory world for driving the rollout machine the way the executor does: status
/// writes replace the KCD's status (and make the copy fresh), patches change workload images and
/// bump their generation, pods come from a table. The clock is a plain number the test moves.
struct RolloutWorld {
  static let digestA = "sha256:" + String(repeating: "a", count: 64)
  static let digestB = "sha256:" + String(repeating: "b", count: 64)
  static let digestC = "sha256:" + String(repeating: "c", count: 64)
  static let t0 = 1_800_000_000.0

  var kcd: KCD
  var workloads: [Workload]?
  var pods: [WorkloadRef: [PodSummary]] = [:]
  var resolution: Resolution?
  /// What the verification checks answered (by index).
  var verifications: [Int: VerifyOutcome] = [:]
  /// When set, the answers are given only to checks of this phase (the executor keys them so).
  var verificationsPhase: Verification.Phase?
  /// ConfigMaps the world holds (history, config copies), by name; nil data: the API refuses.
  var configMaps: [String: [String: String]] = [:]
  var refuseConfigMaps = false
  var projected: Set<String> = []
  var projectionFailures: [String: String] = [:]
  var refusedPatches: [WorkloadRef: String] = [:]
  var settings = RolloutSettings()
  var now = t0
  /// Every action the machine asked for, in order.
  var trace: [RolloutAction] = []
  /// Patches the world accepted.
  var patched: [WorkloadRef] = []
  /// The executor's memory of generations of the rollout in flight (lost on a "restart").
  var memo: [WorkloadRef: Int64] = [:]
  /// The rollout the memo is about (as the executor keys it).
  var memoRollout: String?
  /// Services of the namespace (blue-green), what this pass has read of them, refusals, and the
  /// selector patches the world accepted.
  var services: [String: ServiceState] = [:]
  var serviceReads: [String: ServiceRead] = [:]
  var refusedServicePatches: [String: String] = [:]
  var servicePatched: [ServicePatch] = []
  /// Changes (service patches, scales) the machine asked for from an unconfirmed copy.
  var unconfirmedChanges = 0

  init(kcd: KCD, workloads: [Workload]?) {
    self.kcd = kcd
    self.workloads = workloads
  }

  /// A KCD in namespace shop following registry.example/shop/web:main.
  static func kcd(_ spec: [String: JSON] = [:], status: KCDStatus = KCDStatus(), request: RequestedRollout? = nil, generation: Int64 = 1) -> KCD {
    var s: JSON = ["imageRepo": "registry.example/shop/web", "tag": "main", "selector": ["app": "web"], "timeoutSeconds": 300]
    for (k, v) in spec { s[k] = v }
    var k = KCD(json: ["apiVersion": "kcd.dev/v1", "kind": "KCD",
                       "metadata": ["name": "web", "namespace": "shop", "uid": "u-1", "resourceVersion": "10", "generation": .int(generation)], "spec": s])
    k.status = status
    k.request = request
    return k
  }

  static func request(_ digest: String?, id: String, source: String = "ci", tag: String = "main", version: String? = "3ae8d1b",
                      receivedAt: Double = t0 - 0.5) -> RequestedRollout {
    var r = RequestedRollout(event: .init(repository: "registry.example/shop/web", tag: tag, digest: digest, version: version, source: source,
                                          deliveryID: id, receivedAt: receivedAt), recent: [])
    r.recent = [id]
    return r
  }

  static func pinned(_ digest: String, version: String = "3ae8d1b") -> String { "registry.example/shop/web:\(version)@\(digest)" }

  /// A Deployment of shop labelled app=web running `image`, settled (observed, available).
  static func deployment(_ name: String, image: String = "registry.example/shop/web:1.0", generation: Int64 = 3, replicas: Int64 = 2,
                         labels: [String: String] = ["app": "web"]) -> Workload {
    var p = WorkloadProgress()
    p.observedGeneration = generation
    p.replicas = replicas
    p.currentReplicas = replicas
    p.updatedReplicas = replicas
    p.readyReplicas = replicas
    p.availableReplicas = replicas
    return Workload(ref: WorkloadRef(kind: .deployment, namespace: "shop", name: name), uid: "uid-\(name)", resourceVersion: "1", generation: generation,
                    labels: labels, containers: [.init(name: "web", image: image), .init(name: "proxy", image: "registry.example/shop/proxy:2")],
                    podLabels: ["app": name], progress: p)
  }

  static func ref(_ name: String, kind: WorkloadKind = .deployment) -> WorkloadRef { WorkloadRef(kind: kind, namespace: "shop", name: name) }

  var input: RolloutInput {
    var i = RolloutInput(kcd: kcd, workloads: workloads, now: now, settings: settings)
    i.pods = pods
    i.resolution = resolution
    if verificationsPhase == nil || kcd.status.verification?.phase == verificationsPhase { i.verifications = verifications }
    i.projected = projected
    i.projectionFailures = projectionFailures
    i.refusedPatches = refusedPatches
    i.patchedGenerations = memoRollout == kcd.status.rollout?.id ? memo : [:]
    i.services = serviceReads
    i.refusedServicePatches = refusedServicePatches
    return i
  }

  /// One decision, without applying it.
  func decide(fresh: Bool = false) -> RolloutDecision {
    var i = input
    i.fresh = fresh
    return RolloutMachine.next(i)
  }

  /// Runs a whole pass as the executor would; returns how it ended. `crashAfter`: the process
  /// dies after that many actions, or after the first action `crashWhen` picks (what it did
  /// stays done; its memory goes with it).
  @discardableResult
  mutating func pass(maxSteps: Int = 32, crashAfter: Int? = nil, crashWhen: ((RolloutAction) -> Bool)? = nil) -> RolloutDecision.Next {
    var fresh = false
    // What the executor learns in a pass is gone with it.
    projected = []
    projectionFailures = [:]
    var left = crashAfter ?? Int.max
    serviceReads = [:]
    for _ in 0..<maxSteps {
      var i = input
      i.fresh = fresh
      let d = RolloutMachine.next(i)
      for a in d.actions {
        trace.append(a)
        switch a {
        case .writeStatus(let s, _):
          kcd.status = s
          kcd.ref.resourceVersion = String((Int(kcd.ref.resourceVersion) ?? 0) + 1)
          fresh = true
        case .patch(let p):
          precondition(fresh, "the machine patched from an unconfirmed copy")
          if refusedPatches[p.ref] != nil { continue }
          patched.append(p.ref)
          mutate(p.ref) { w in
            for ci in p.images { if let i = w.containers.firstIndex(where: { $0.name == ci.container }) { w.containers[i].image = ci.image } }
            w.generation += 1
          }
          if p.purpose == .rollout, let g = workloads?.first(where: { $0.ref == p.ref })?.generation { remember(p.ref, g) }
        case .rememberGeneration(let ref, let g):
          remember(ref, g)
        case .inspectPods(let ref, _):
          if pods[ref] == nil { pods[ref] = [] }
        case .syncHistory(let name, let records, let limit, let key):
          if refuseConfigMaps { projectionFailures[key] = "forbidden"; continue }
          configMaps[name, default: [:]]["history"] = ConfigMapWriter.mergedHistory(configMaps[name]?["history"], records, limit: limit)
          projected.insert(key)
        case .writeConfig(let target, let version, let key):
          if refuseConfigMaps { projectionFailures[key] = "forbidden"; continue }
          configMaps[target.name, default: [:]][target.key] = version
          projected.insert(key)
        case .readService(let name):
          serviceReads[name] = services[name].map { .found($0) } ?? .absent
        case .patchService(let p):
          applyServicePatch(p, fresh: fresh)
        case .scale(let s):
          applyScale(s, fresh: fresh)
        default: break
        }
        left -= 1
        if left == 0 || crashWhen?(a) == true {
          restart()
          return .idle
        }
      }
      if d.next != .again { return d.next }
    }
    return .again
  }

  mutating func remember(_ ref: WorkloadRef, _ generation: Int64) {
    if memoRollout != kcd.status.rollout?.id {
      memo = [:]
      memoRollout = kcd.status.rollout?.id
    }
    memo[ref] = generation
  }

  mutating func mutate(_ ref: WorkloadRef, _ change: (inout Workload) -> Void) {
    guard let i = workloads?.firstIndex(where: { $0.ref == ref }) else { return }
    change(&workloads![i])
  }

  /// The workload controller catches up: the new generation observed and every replica updated
  /// and available (or stuck, when `available` is false).
  mutating func settle(_ name: String, available: Bool = true) {
    mutate(Self.ref(name)) { w in
      w.progress.observedGeneration = w.generation
      w.progress.updatedReplicas = w.progress.replicas
      w.progress.currentReplicas = w.progress.replicas
      w.progress.availableReplicas = available ? w.progress.replicas : 0
    }
  }

  func image(_ name: String) -> String? { workloads?.first { $0.ref.name == name }?.containers.first { $0.name == "web" }?.image }

  var statusWrites: [KCDStatus] { trace.compactMap { if case .writeStatus(let s, _) = $0 { return s } else { return nil } } }
  var events: [EventNote] { trace.compactMap { if case .event(let e) = $0 { return e } else { return nil } } }
  var patches: [WorkloadPatch] { trace.compactMap { if case .patch(let p) = $0 { return p } else { return nil } } }
}

/// Blue-green: Services and replicas, as the executor and the API server would treat them.
extension RolloutWorld {
  mutating func applyServicePatch(_ p: ServicePatch, fresh: Bool) {
    if !fresh { unconfirmedChanges += 1 }
    serviceReads[p.name] = nil
    guard refusedServicePatches[p.name] == nil, var svc = services[p.name], svc.resourceVersion == p.resourceVersion else { return }
    for (k, v) in p.selector { svc.selector[k] = v }
    svc.resourceVersion = String((Int(svc.resourceVersion) ?? 0) + 1)
    services[p.name] = svc
    servicePatched.append(p)
  }

  mutating func applyScale(_ s: WorkloadScale, fresh: Bool) {
    if !fresh { unconfirmedChanges += 1 }
    guard refusedPatches[s.ref] == nil else { return }
    mutate(s.ref) { w in
      w.progress.replicas = s.replicas
      w.generation += 1
    }
    if let g = workloads?.first(where: { $0.ref == s.ref })?.generation { remember(s.ref, g) }
  }

  /// kcd dies and another starts: nothing in memory survives, the status and the cluster do.
  mutating func restart() {
    memo = [:]
    memoRollout = nil
    serviceReads = [:]
  }

  var scales: [WorkloadScale] { trace.compactMap { if case .scale(let s) = $0 { return s } else { return nil } } }
}
