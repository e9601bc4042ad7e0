import KcdJSON

/// The verbs kcd uses, with `fieldManager=kcd` on writes.
extension KubeClient {
  public enum PatchType: String, Sendable {
    case strategic = "application/strategic-merge-patch+json"
    case merge = "application/merge-patch+json"
    case json = "application/json-patch+json"
  }

  public func get(_ r: KubeResource, namespace: String?, name: String, subresource: String? = nil, options: KubeCallOptions = .normal) throws(KubeError) -> JSON {
    try request("GET", r.path(namespace: namespace, name: name, subresource: subresource), options: options)
  }

  /// All objects (following `continue`), with the list's resourceVersion. For small lists;
  /// caches use `listPages`, which never holds more than a page.
  public func list(
    _ r: KubeResource, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
    options: KubeCallOptions = .normal
  ) throws(KubeError) -> (items: [JSON], resourceVersion: String) {
    var items: [JSON] = []
    let version = try listPages(r, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: resourceVersion,
                                options: options) { page in items += page.map(\.object) }
    return (items, version)
  }

  public func create(_ r: KubeResource, namespace: String?, _ object: JSON, options: KubeCallOptions = .normal) throws(KubeError) -> JSON {
    try request("POST", r.path(namespace: namespace), query: [("fieldManager", fieldManager)], body: object, options: options)
  }

  public func update(_ r: KubeResource, namespace: String?, name: String, _ object: JSON, subresource: String? = nil,
                     options: KubeCallOptions = .normal) throws(KubeError) -> JSON {
    try request("PUT", r.path(namespace: namespace, name: name, subresource: subresource), query: [("fieldManager", fieldManager)], body: object,
                options: options)
  }

  public func patch(_ r: KubeResource, namespace: String?, name: String, _ patch: JSON, type: PatchType, subresource: String? = nil,
                    options: KubeCallOptions = .normal) throws(KubeError) -> JSON {
    try request("PATCH", r.path(namespace: namespace, name: name, subresource: subresource), query: [("fieldManager", fieldManager)], body: patch,
                contentType: type.rawValue, options: options)
  }

  public func delete(_ r: KubeResource, namespace: String?, name: String, options: KubeCallOptions = .normal) throws(KubeError) {
    _ = try request("DELETE", r.path(namespace: namespace, name: name), body: ["propagationPolicy": "Background"], options: options)
  }
}
