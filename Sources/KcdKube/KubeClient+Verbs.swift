import KcdJSON

/// The verbs kcd uses, with `fieldManager=kcd` on writes.
extension KubeClient {
  public enum PatchType: String, Sendable {
    case strategic = "application/strategic-merge-patch+json"
    case merge = "application/merge-patch+json"
    case json = "application/json-patch+json"
  }

  public func get(_ r: KubeResource, namespace: String?, name: String, subresource: String? = nil) throws(KubeError) -> JSON {
    try request("GET", r.path(namespace: namespace, name: name, subresource: subresource))
  }

  /// All objects (following `continue`), with the list's resourceVersion.
  public func list(
    _ r: KubeResource, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil
  ) throws(KubeError) -> (items: [JSON], resourceVersion: String) {
    var items: [JSON] = []
    var token: String?
    var version = ""
    repeat {
      var q: [(String, String)] = [("limit", "500")]
      if let l = labelSelector { q.append(("labelSelector", l)) }
      if let f = fieldSelector { q.append(("fieldSelector", f)) }
      if let t = token { q.append(("continue", t)) } else if let rv = resourceVersion { q.append(("resourceVersion", rv)) }
      let page = try request("GET", r.path(namespace: namespace), query: q)
      for var item in page["items"].arrayValue ?? [] {
        if item["kind"].isNull { item["kind"] = .string(r.kind); item["apiVersion"] = .string(r.apiVersion) }
        items.append(item)
      }
      if version.isEmpty || token == nil { version = page["metadata"]["resourceVersion"].stringValue ?? "" }
      token = page["metadata"]["continue"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
    } while token != nil
    return (items, version)
  }

  public func create(_ r: KubeResource, namespace: String?, _ object: JSON) throws(KubeError) -> JSON {
    try request("POST", r.path(namespace: namespace), query: [("fieldManager", fieldManager)], body: object)
  }

  public func update(_ r: KubeResource, namespace: String?, name: String, _ object: JSON, subresource: String? = nil) throws(KubeError) -> JSON {
    try request("PUT", r.path(namespace: namespace, name: name, subresource: subresource), query: [("fieldManager", fieldManager)], body: object)
  }

  public func patch(_ r: KubeResource, namespace: String?, name: String, _ patch: JSON, type: PatchType, subresource: String? = nil) throws(KubeError) -> JSON {
    try request("PATCH", r.path(namespace: namespace, name: name, subresource: subresource), query: [("fieldManager", fieldManager)], body: patch,
                contentType: type.rawValue)
  }

  public func delete(_ r: KubeResource, namespace: String?, name: String) throws(KubeError) {
    _ = try request("DELETE", r.path(namespace: namespace, name: name), body: ["propagationPolicy": "Background"])
  }
}
