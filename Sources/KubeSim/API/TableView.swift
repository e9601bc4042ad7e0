import KcdCore
import KcdHTTP
import KcdJSON

/// Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`), so `kubectl get`
/// shows the real columns — a CRD's additionalPrinterColumns included (the KCD's Repo, Tag,
/// Version, Status) — instead of just NAME and AGE.
struct TableView {
  let type: ResourceType
  let columns: [(name: String, type: String, format: String, path: String?)]
  let includeObject: String

  static func wanted(_ request: HTTPRequest) -> Bool {
    (request.headers["Accept"] ?? "").split(separator: ",").first.map { $0.contains("as=Table") } ?? false
  }

  init(type: ResourceType, store: ObjectStore, request: HTTPRequest) {
    self.type = type
    includeObject = request.queryValue("includeObject") ?? "PartialObjectMetadata"
    if type.isCustom, let crd = store.get(BuiltinResources.customResourceDefinitions, namespace: "", name: "\(type.plural).\(type.group)") {
      let version = crd["spec"]["versions"].arrayValue?.first { $0["name"].stringValue == type.version }
      var cols: [(String, String, String, String?)] = [("Name", "string", "name", nil)]
      for c in version?["additionalPrinterColumns"].arrayValue ?? [] where (c["priority"].intValue ?? 0) == 0 {
        cols.append((c["name"].stringValue ?? "", c["type"].stringValue ?? "string", c["format"].stringValue ?? "", c["jsonPath"].stringValue ?? ""))
      }
      if !cols.contains(where: { $0.0 == "Age" }) { cols.append(("Age", "date", "", ".metadata.creationTimestamp")) }
      columns = cols
    } else {
      columns = TableView.builtinColumns(type).map { ($0, $0 == "Name" ? "string" : "string", $0 == "Name" ? "name" : "", nil) }
    }
  }

  static func builtinColumns(_ type: ResourceType) -> [String] {
    switch type.storageGroupResource {
    case "apps/deployments": return ["Name", "Ready", "Up-to-date", "Available", "Age"]
    case "apps/replicasets": return ["Name", "Desired", "Current", "Ready", "Age"]
    case "apps/statefulsets": return ["Name", "Ready", "Age"]
    case "apps/daemonsets": return ["Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Age"]
    case "/pods": return ["Name", "Ready", "Status", "Restarts", "Age"]
    case "batch/jobs": return ["Name", "Completions", "Age"]
    case "/namespaces": return ["Name", "Status", "Age"]
    case "/services": return ["Name", "Type", "Cluster-IP", "Port(s)", "Age"]
    case "/configmaps": return ["Name", "Data", "Age"]
    case "/events": return ["Last Seen", "Type", "Reason", "Object", "Message"]
    default: return ["Name", "Age"]
    }
  }

  func table(_ objects: [JSON], resourceVersion: String, withDefinitions: Bool = true) -> JSON {
    var t: JSON = ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": ["resourceVersion": .string(resourceVersion)],
                   "rows": .array(objects.map(row))]
    t["columnDefinitions"] = withDefinitions
      ? .array(columns.map { ["name": .string($0.name), "type": .string($0.type), "format": .string($0.format), "description": "", "priority": 0] })
      : []
    return t
  }

  func row(_ o: JSON) -> JSON {
    let cells: [JSON] = columns.map { c in
      if let path = c.path { return type.isCustom && c.name == "Age" ? .string(TableView.age(o)) : cell(o, path: path, type: c.type) }
      return builtinCell(o, c.name)
    }
    var object = o
    if includeObject != "Object" {
      object = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]]
    }
    return ["cells": .array(cells), "object": object]
  }

  func cell(_ o: JSON, path: String, type: String) -> JSON {
    let v = JSONPathLite.evaluate(path, on: o)
    if type == "date" { return .string(v.stringValue.flatMap(TableView.instant).map(TableView.since) ?? "<unknown>") }
    if v.isNull { return type == "string" ? "" : .null }
    return v
  }

  func builtinCell(_ o: JSON, _ column: String) -> JSON {
    let s = o["status"], spec = o["spec"]
    func n(_ j: JSON) -> Int64 { j.intValue ?? 0 }
    switch column {
    case "Name": return o["metadata"]["name"]
    case "Age": return .string(TableView.age(o))
    case "Ready":
      if type.plural == "pods" {
        let statuses = s["containerStatuses"].arrayValue ?? []
        return .string("\(statuses.filter { $0["ready"].boolValue == true }.count)/\((spec["containers"].arrayValue ?? []).count)")
      }
      if type.plural == "replicasets" || type.plural == "daemonsets" { return .int(n(type.plural == "daemonsets" ? s["numberReady"] : s["readyReplicas"])) }
      return .string("\(n(s["readyReplicas"]))/\(spec["replicas"].intValue ?? 1)")
    case "Up-to-date": return .int(type.plural == "daemonsets" ? n(s["updatedNumberScheduled"]) : n(s["updatedReplicas"]))
    case "Available": return .int(type.plural == "daemonsets" ? n(s["numberAvailable"]) : n(s["availableReplicas"]))
    case "Desired": return .int(type.plural == "daemonsets" ? n(s["desiredNumberScheduled"]) : (spec["replicas"].intValue ?? 1))
    case "Current": return .int(type.plural == "daemonsets" ? n(s["currentNumberScheduled"]) : n(s["replicas"]))
    case "Status":
      if type.plural == "namespaces" { return s["phase"] }
      let waiting = (s["containerStatuses"].arrayValue ?? []).compactMap { $0["state"]["waiting"]["reason"].stringValue }.first
      return .string(waiting ?? s["phase"].stringValue ?? "Unknown")
    case "Restarts": return .int((s["containerStatuses"].arrayValue ?? []).reduce(0) { $0 + n($1["restartCount"]) })
    case "Completions": return .string("\(n(s["succeeded"]))/\(spec["completions"].intValue ?? 1)")
    case "Type": return type.plural == "events" ? o["type"] : spec["type"]
    case "Cluster-IP": return spec["clusterIP"]
    case "Port(s)": return .string((spec["ports"].arrayValue ?? []).map { "\(n($0["port"]))/\($0["protocol"].stringValue ?? "TCP")" }.joined(separator: ","))
    case "Data": return .int(Int64((o["data"].objectValue?.count ?? 0) + (o["binaryData"].objectValue?.count ?? 0)))
    case "Last Seen": return .string(o["lastTimestamp"].stringValue.flatMap(TableView.instant).map(TableView.since) ?? "<unknown>")
    case "Reason": return o["reason"]
    case "Object": return .string("\((o["involvedObject"]["kind"].stringValue ?? "").lowercased())/\(o["involvedObject"]["name"].stringValue ?? "")")
    case "Message": return o["message"]
    default: return .null
    }
  }

  static func age(_ o: JSON) -> String {
    o["metadata"]["creationTimestamp"].stringValue.flatMap(TableView.instant).map(since) ?? "<unknown>"
  }

  /// A metav1.Time field's instant, in seconds, for ages.
  static func instant(_ text: String) -> Double? { GoTime(parsing: text, .rfc3339).map { Double($0.seconds) } }

  /// kubectl's short durations: 42s, 5m, 3h, 2d.
  static func since(_ t: Double) -> String {
    let d = max(0, Int(Timestamps.now() - t))
    if d < 120 { return "\(d)s" }
    if d < 7200 { return "\(d / 60)m" }
    if d < 172_800 { return "\(d / 3600)h" }
    return "\(d / 86400)d"
  }
}

/// The JSONPath subset printer columns use: `.a.b`, `.a[0].b`, `.a[?(@.k=="v")].b`.
enum JSONPathLite {
  static func evaluate(_ path: String, on root: JSON) -> JSON {
    var node = root
    var rest = Substring(path.hasPrefix("{") ? String(path.dropFirst().dropLast()) : path)
    while !rest.isEmpty {
      if rest.hasPrefix(".") { rest = rest.dropFirst(); continue }
      if rest.hasPrefix("[") {
        guard let close = rest.firstIndex(of: "]") else { return .null }
        let inside = rest[rest.index(after: rest.startIndex)..<close]
        rest = rest[rest.index(after: close)...]
        if let i = Int(inside) {
          node = node[i]
        } else if inside.hasPrefix("?(@."), let eq = inside.firstIndex(of: "=") {
          let key = inside[inside.index(inside.startIndex, offsetBy: 4)..<eq]
          var value = inside[inside.index(after: eq)...].drop { $0 == "=" }
          value = value.dropLast()  // ")"
          let wanted = value.trimmingCharacters(in: "\"'")
          node = node.arrayValue?.first { $0[String(key)].stringValue == wanted } ?? .null
        } else {
          return .null
        }
        continue
      }
      let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
      node = node[String(rest[..<end])]
      rest = rest[end...]
    }
    return node
  }
}

extension Substring {
  func trimmingCharacters(in set: String) -> String {
    var s = self
    while let f = s.first, set.contains(f) { s = s.dropFirst() }
    while let l = s.last, set.contains(l) { s = s.dropLast() }
    return String(s)
  }
}
