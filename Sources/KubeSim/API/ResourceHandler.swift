import KcdHTTP
import KcdJSON

/// Serves one request on a resource path: the verbs, their query parameters and bodies.
struct ResourceHandler {
  let api: KubeSimAPI
  let type: ResourceType
  let path: ResourcePath
  let request: HTTPRequest

  var store: ObjectStore { api.store }
  var namespace: String { path.namespace ?? "" }
  var dryRun: Bool { request.query.contains { $0.name == "dryRun" && $0.value == "All" } }

  func respond(verb: String) throws(StatusError) -> HTTPResponse {
    if type.createOnly && verb != "create" { throw StatusError.methodNotAllowed() }
    if let sub = path.subresource {
      guard type.subresources.contains(sub) else { return KubeSimAPI.notFoundPath() }
      if sub == "scale" { return try scale(verb: verb) }
      if sub == "log" { return try PodLog(store: store, namespace: namespace, name: path.name ?? "", request: request).response(verb: verb) }
    }
    if type.namespaced && path.namespace == nil && !["list", "watch"].contains(verb) {
      return KubeSimAPI.notFoundPath()
    }
    switch verb {
    case "get": return try get()
    case "list": return try list()
    case "watch": return try WatchStream(api: api, type: type, namespace: path.namespace, request: request).response()
    case "create": return try create()
    case "update": return try update()
    case "patch": return try patch()
    case "delete": return try delete()
    case "deletecollection": return try deleteCollection()
    default: throw StatusError.methodNotAllowed()
    }
  }

  func parseBody() throws(StatusError) -> JSON {
    if let decoded = try protobufBody() { return decoded }
    do { return try JSON.parse(request.body) } catch {
      throw .badRequest("couldn't get version/kind; json parse error: \(error)")
    }
  }

  /// The body must describe this type (when it says what it is).
  func checkKind(_ object: JSON) throws(StatusError) {
    if let kind = object["kind"].stringValue, !kind.isEmpty, kind != type.kind {
      throw .badRequest("the kind of the provided object (\(kind)) does not match the kind of the resource (\(type.kind))")
    }
    if let v = object["apiVersion"].stringValue, !v.isEmpty, v != type.groupVersion {
      throw .badRequest("the API version in the data (\(v)) does not match the expected API version (\(type.groupVersion))")
    }
  }

  func get() throws(StatusError) -> HTTPResponse {
    guard let object = store.get(type, namespace: namespace, name: path.name!) else { throw StatusError.notFound(type, path.name!) }
    if path.subresource == nil && TableView.wanted(request) {
      return .json(200, TableView(type: type, store: store, request: request).table([object], resourceVersion: object["metadata"]["resourceVersion"].stringValue ?? ""))
    }
    if path.subresource == "status" || path.subresource == nil { return negotiated(200, object) }
    return KubeSimAPI.notFoundPath()
  }

  func list() throws(StatusError) -> HTTPResponse {
    let filter = try ObjectFilter(type: type, namespace: path.namespace, labelSelector: request.queryValue("labelSelector"), fieldSelector: request.queryValue("fieldSelector"))
    let query = try ListQuery(request: request, store: store, type: type)
    let (items, revision) = store.list(type, namespace: path.namespace, at: query.continuation?.revision ?? query.exactRevision)
    var matched = items.filter(filter.matches)
    var metadata: JSON = ["resourceVersion": .string(String(query.continuation?.revision ?? revision))]
    if let c = query.continuation {
      matched = matched.filter { ObjectKey($0.namespace, $0.name) > c.after }
    }
    if let limit = query.limit, limit > 0, matched.count > limit {
      let remaining = matched.count - limit
      matched = Array(matched.prefix(limit))
      let last = matched[matched.count - 1]
      metadata["continue"] = .string(ListQuery.Continuation(revision: query.continuation?.revision ?? revision, after: ObjectKey(last.namespace, last.name)).token)
      metadata["remainingItemCount"] = .int(Int64(remaining))
    }
    if TableView.wanted(request) {
      var table = TableView(type: type, store: store, request: request).table(matched, resourceVersion: metadata["resourceVersion"].stringValue ?? "")
      table["metadata"] = metadata
      return .json(200, table)
    }
    if !type.isCustom {
      matched = matched.map { var o = $0; o.removeValue(forKey: "kind"); o.removeValue(forKey: "apiVersion"); return o }
    }
    return negotiated(200, ["kind": .string(type.listKind), "apiVersion": .string(type.groupVersion), "metadata": metadata, "items": .array(matched)])
  }

  func create() throws(StatusError) -> HTTPResponse {
    if path.name != nil { throw StatusError.methodNotAllowed() }
    let body = try parseBody()
    try checkKind(body)
    if type.storageGroupResource == "authentication.k8s.io/tokenreviews" { return reviewToken(body) }
    if type.storageGroupResource == "authentication.k8s.io/selfsubjectreviews" { return reviewSelf(body) }
    if type.storageGroupResource == "authorization.k8s.io/subjectaccessreviews" { return reviewAccess(body) }
    let created = try store.create(type, namespace: namespace, object: body, dryRun: dryRun)
    return negotiated(201, created)
  }

  func update() throws(StatusError) -> HTTPResponse {
    guard let name = path.name else { throw StatusError.methodNotAllowed() }
    let body = try parseBody()
    try checkKind(body)
    let updated = try store.update(type, namespace: namespace, name: name, object: body, subresource: path.subresource, dryRun: dryRun)
    return negotiated(200, updated)
  }

  func delete() throws(StatusError) -> HTTPResponse {
    let options = request.body.isEmpty ? JSON.object([:]) : ((try? JSON.parse(request.body)) ?? [:])
    let propagation = request.queryValue("propagationPolicy") ?? options["propagationPolicy"].stringValue
      ?? (options["orphanDependents"].boolValue == true ? "Orphan" : "Background")
    let dry = dryRun || (options["dryRun"].arrayValue?.contains("All") ?? false)
    let outcome = try store.delete(
      type, namespace: namespace, name: path.name!, precondition: options["preconditions"]["resourceVersion"].stringValue,
      uidPrecondition: options["preconditions"]["uid"].stringValue, propagation: propagation, dryRun: dry)
    switch outcome {
    case .pending(let object): return negotiated(202, object)
    case .deleted(let object):
      if ResourceHandler.deleteReturnsObject(type) { return negotiated(200, object) }
      var details = StatusError.details(type, path.name!)
      details["uid"] = .string(object.uid)
      return negotiated(200, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "details": details])
    }
  }

  /// Stores that hand back the deleted object rather than a Status (apiserver `ReturnDeletedObject`).
  static func deleteReturnsObject(_ type: ResourceType) -> Bool {
    type.isCustom || ["/pods", "/namespaces", "/serviceaccounts", "apiextensions.k8s.io/customresourcedefinitions"].contains(type.storageGroupResource)
  }

  func deleteCollection() throws(StatusError) -> HTTPResponse {
    let filter = try ObjectFilter(type: type, namespace: path.namespace, labelSelector: request.queryValue("labelSelector"), fieldSelector: request.queryValue("fieldSelector"))
    var deleted: [JSON] = []
    for object in store.list(type, namespace: path.namespace).items where filter.matches(object) {
      if case .deleted(let o)? = try? store.delete(type, namespace: object.namespace, name: object.name, dryRun: dryRun) { deleted.append(o) }
    }
    return negotiated(200, ["kind": .string(type.listKind), "apiVersion": .string(type.groupVersion), "metadata": ["resourceVersion": .string(String(store.currentRevision))], "items": .array(deleted)])
  }
}
