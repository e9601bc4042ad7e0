import KcdJSON

/// Legacy discovery documents (`/api`, `/apis`, resource lists), which every kubectl accepts;
/// requests for aggregated discovery get these too, as an older server would answer.
struct Discovery {
  let store: ObjectStore
  let serverVersion: (major: String, minor: String)

  var version: JSON {
    ["major": .string(serverVersion.major), "minor": .string(serverVersion.minor),
     "gitVersion": .string("v\(serverVersion.major).\(serverVersion.minor).0"), "gitCommit": "kubesim",
     "gitTreeState": "clean", "buildDate": "2024-01-01T00:00:00Z", "goVersion": "go1.22", "compiler": "gc",
     "platform": "linux/amd64"]
  }

  var coreVersions: JSON {
    ["kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]]]
  }

  /// Groups and their versions, preferred version first (the first served one, v1 before betas).
  var groups: [(name: String, versions: [String])] {
    var map: [String: Set<String>] = [:]
    for t in store.servedTypes where !t.group.isEmpty { map[t.group, default: []].insert(t.version) }
    return map.keys.sorted().map { g in
      (g, map[g]!.sorted { a, b in rank(a) < rank(b) })
    }
  }

  func rank(_ v: String) -> (Int, String) {
    if !v.contains("alpha") && !v.contains("beta") { return (0, v) }
    return v.contains("beta") ? (1, v) : (2, v)
  }

  func groupJSON(_ g: (name: String, versions: [String])) -> JSON {
    let versions: [JSON] = g.versions.map { ["groupVersion": .string("\(g.name)/\($0)"), "version": .string($0)] }
    return ["name": .string(g.name), "versions": .array(versions), "preferredVersion": versions[0]]
  }

  var groupList: JSON {
    ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map(groupJSON))]
  }

  func group(_ name: String) -> JSON? {
    guard let g = groups.first(where: { $0.name == name }) else { return nil }
    var j = groupJSON(g)
    j["kind"] = "APIGroup"
    j["apiVersion"] = "v1"
    return j
  }

  func resourceList(group: String, version: String) -> JSON? {
    let types = store.servedTypes.filter { $0.group == group && $0.version == version }
    guard !types.isEmpty else { return nil }
    var resources: [JSON] = []
    for t in types {
      var r: JSON = ["name": .string(t.plural), "singularName": .string(t.singular), "namespaced": .bool(t.namespaced),
                     "kind": .string(t.kind), "verbs": .array(t.verbs.map { .string($0) })]
      if !t.shortNames.isEmpty { r["shortNames"] = .array(t.shortNames.map { .string($0) }) }
      if !t.categories.isEmpty { r["categories"] = .array(t.categories.map { .string($0) }) }
      resources.append(r)
      for sub in t.subresources.sorted() {
        var s: JSON = ["name": .string("\(t.plural)/\(sub)"), "singularName": "", "namespaced": .bool(t.namespaced),
                       "kind": .string(t.kind), "verbs": ["get", "patch", "update"]]
        if sub == "scale" { s["group"] = "autoscaling"; s["version"] = "v1"; s["kind"] = "Scale" }
        if sub == "log" { s["verbs"] = ["get"] }
        resources.append(s)
      }
    }
    return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(resources)]
  }
}
