import KcdController
import KcdCore
import KcdJSON

/// What the dashboard shows, from the caches and the hooks' delivery log (no API-server
/// request): the same data for the page and for `GET /api/v1/dashboard` (its live updates).
struct DashboardModel: Sendable {
  struct InFlight: Sendable {
    var kcd: String
    var phase: String
    var version: String
    var image: String
    var since: Double?
    var progress: [(workload: String, replicas: Int64, updated: Int64, available: Int64)]
  }

  struct Rollout: Sendable {
    var kcd: String
    var record: RolloutRecord
  }

  var leader: Leadership
  var generatedAt: Double
  var namespaces: [String]
  var namespace: String?
  var status: String?
  var workloads: [WorkloadRow]
  var inFlight: [InFlight]
  var rollouts: [Rollout]
  var failed: [(kcd: String, digest: String, message: String)]
  var deliveries: [DeliveryLog.Entry]

  static let statuses = ["Progressing", "Verifying", "AwaitingApproval", "Success", "Failed", "RolledBack", "Suspended"]

  init(controller: Controller, leader: Leadership, deliveryLog: DeliveryLog, namespace: String?, status: String?, now: Double = Timestamps.now()) {
    self.leader = leader
    generatedAt = now
    self.namespace = namespace
    self.status = DashboardModel.statuses.contains(status ?? "") ? status : nil
    let all = controller.kcds.all
    namespaces = Array(Set(all.map(\.namespace))).sorted()
    let kcds = all.filter { namespace == nil || $0.namespace == namespace }.sorted { $0.key < $1.key }
    let wanted = self.status
    workloads = WorkloadRow.all(controller, namespace: namespace).filter { wanted == nil || $0.status == wanted }
    inFlight = kcds.compactMap { kcd in
      let s = kcd.status
      guard let phase = s.currStatus, [.progressing, .verifying, .awaitingApproval].contains(phase) else { return nil }
      var progress: [(String, Int64, Int64, Int64)] = []
      if phase == .progressing, let r = s.rollout {
        for t in r.workloads {
          let w = controller.workloads.get(WorkloadRef(kind: t.kind, namespace: kcd.namespace, name: t.name))
          progress.append(("\(t.kind.rawValue)/\(t.name)", w?.progress.replicas ?? 0, w?.progress.updatedReplicas ?? 0, w?.progress.availableReplicas ?? 0))
        }
      }
      let version = s.verification?.version ?? s.approval?.version ?? s.currVersion ?? ""
      let image = s.verification?.image ?? s.approval?.image ?? s.rollout?.image ?? ""
      return InFlight(kcd: kcd.key, phase: phase.rawValue, version: version, image: image, since: s.currStatusTime, progress: progress)
    }
    rollouts = Array(kcds.flatMap { k in k.status.history.map { Rollout(kcd: k.key, record: $0) } }
      .sorted { $0.record.startedAt > $1.record.startedAt }.prefix(20))
    failed = kcds.compactMap { k in k.status.failedDigest.map { (k.key, $0, k.status.currStatus == .failed ? (k.status.message ?? "") : "") } }
    deliveries = Array(deliveryLog.recent.prefix(20))
  }

  var json: JSON {
    ["leader": leader.json, "generatedAt": .string(Timestamps.rfc3339(generatedAt)),
     "workloads": .array(workloads.map(\.json)),
     "inFlight": .array(inFlight.map { f in
       ["kcd": .string(f.kcd), "phase": .string(f.phase), "version": .string(f.version), "image": .string(f.image),
        "since": f.since.map { .string(Timestamps.rfc3339($0)) } ?? .null,
        "progress": .array(f.progress.map { ["workload": .string($0.workload), "replicas": .int($0.replicas), "updated": .int($0.updated),
                                              "available": .int($0.available)] })]
     }),
     "rollouts": .array(rollouts.map { r in
       var j = APIHandler.record(r.record)
       j["kcd"] = .string(r.kcd)
       return j
     }),
     "failed": .array(failed.map { ["kcd": .string($0.kcd), "digest": .string($0.digest), "message": .string(String($0.message.prefix(300)))] }),
     "deliveries": .array(deliveries.map { ["at": .string(Timestamps.rfc3339($0.at)), "source": .string($0.source), "status": .int(Int64($0.status))] })]
  }
}
