import KcdController
import KcdCore
import KcdJSON

/// One row of `GET /api/v1/workloads`: a container a KCD manages, as the caches have it.
struct WorkloadRow: Sendable {
  var namespace: String
  var name: String
  var kind: String
  var container: String
  var kcd: String
  var tag: String
  var version: String?
  var digest: String?
  var status: String?
  var availablePods: Int64
  var lastUpdated: Double?

  var json: JSON {
    ["namespace": .string(namespace), "name": .string(name), "kind": .string(kind), "container": .string(container), "kcd": .string(kcd),
     "tag": .string(tag), "version": version.map(JSON.string) ?? .null, "digest": digest.map(JSON.string) ?? .null,
     "status": status.map(JSON.string) ?? .null, "availablePods": .int(availablePods),
     "lastUpdated": lastUpdated.map { .string(Timestamps.rfc3339($0)) } ?? .null]
  }

  /// Every container of every workload a KCD selects, from the caches (no API request), sorted
  /// by namespace, name and container. The version and digest are what the container runs
  /// (`repo:version@digest`), not what the KCD wants.
  static func all(_ controller: Controller, namespace: String?) -> [WorkloadRow] {
    let kcds = namespace.map { controller.kcds.inNamespace($0) } ?? controller.kcds.all
    var rows: [WorkloadRow] = []
    for kcd in kcds {
      guard let spec = kcd.spec else { continue }
      for w in controller.workloads.inNamespace(kcd.namespace) where spec.selects(w.labels) && !w.isControlled {
        for c in ImagePlan.containers(in: w, spec: spec) {
          let image = w.containers.first { $0.name == c }?.image ?? ""
          let (version, digest) = WorkloadRow.versionAndDigest(image)
          rows.append(WorkloadRow(namespace: w.ref.namespace, name: w.ref.name, kind: w.ref.kind.rawValue, container: c, kcd: kcd.name,
                                  tag: spec.tag ?? spec.versionPolicy.map { "(\($0))" } ?? "", version: version, digest: digest,
                                  status: kcd.status.currStatus?.rawValue, availablePods: w.progress.availableReplicas,
                                  lastUpdated: kcd.status.currStatusTime))
        }
      }
    }
    return rows.sorted { ($0.namespace, $0.name, $0.container) < ($1.namespace, $1.name, $1.container) }
  }

  /// `repo:1.2@sha256:…` → ("1.2", "sha256:…"); a tag without a digest → (tag, nil).
  static func versionAndDigest(_ image: String) -> (String?, String?) {
    var rest = Substring(image)
    var digest: String?
    if let at = rest.lastIndex(of: "@") {
      digest = String(rest[rest.index(after: at)...])
      rest = rest[..<at]
    }
    let last = rest.split(separator: "/").last ?? ""
    let version = last.firstIndex(of: ":").map { String(last[last.index(after: $0)...]) }
    return (version, digest)
  }
}
