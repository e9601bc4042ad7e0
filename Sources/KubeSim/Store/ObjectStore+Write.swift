import KcdCore
import KcdJSON

/// Creating and changing objects with the apiserver's rules: system metadata, defaults,
/// validation, status split, generation, compare-and-swap, one global revision.
extension ObjectStore {
  public func create(_ type: ResourceType, namespace: String, object: JSON, dryRun: Bool = false) throws(StatusError) -> JSON {
    let result = try state.withLock { (s: inout State) throws(StatusError) -> JSON in
      try createLocked(type, namespace: namespace, object: object, dryRun: dryRun, in: &s)
    }
    if !dryRun { signal.notify() }
    return present(result, as: type)
  }

  func createLocked(_ type: ResourceType, namespace: String, object: JSON, dryRun: Bool, in s: inout State) throws(StatusError) -> JSON {
    guard case .object = object else { throw .badRequest("the body of the request is not a JSON object") }
    var o = object
    let ns = type.namespaced ? namespace : ""
    if type.namespaced {
      if let bodyNS = o["metadata"]["namespace"].stringValue, !bodyNS.isEmpty, bodyNS != ns {
        throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
      }
      guard let namespaceObject = s.buckets[BuiltinResources.namespaces.storageGroupResource]?[ObjectKey("", ns)] else {
        throw StatusError.notFound(BuiltinResources.namespaces, ns)
      }
      if namespaceObject.isBeingDeleted {
        throw StatusError(code: 403, reason: "Forbidden", message: "\(type.qualifiedPlural) \"\(o.name)\" is forbidden: unable to create new content in namespace \(ns) because it is being terminated",
                          details: StatusError.details(type, o.name))
      }
      o["metadata"]["namespace"] = .string(ns)
    } else {
      o["metadata"].removeValue(forKey: "namespace")
    }
    var name = o.name
    if name.isEmpty, let prefix = o["metadata"]["generateName"].stringValue, !prefix.isEmpty {
      name = prefix + Identifiers.suffix()
      o["metadata"]["name"] = .string(name)
    }
    if name.isEmpty {
      throw StatusError.invalid(type, "", [("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")])
    }
    try checkName(type, name)
    let key = ObjectKey(ns, name)
    if s.buckets[type.storageGroupResource]?[key] != nil { throw StatusError.alreadyExists(type, name) }
    let now = clock()
    o["metadata"]["uid"] = .string(Identifiers.uuid())
    o["metadata"]["creationTimestamp"] = .string(GoTime(now).formatted(.rfc3339))
    o["metadata"].removeValue(forKey: "deletionTimestamp")
    o["metadata"].removeValue(forKey: "managedFields")
    if type.hasGeneration { o["metadata"]["generation"] = 1 } else { o["metadata"].removeValue(forKey: "generation") }
    if type.subresources.contains("status") && !type.isCustom { o.removeValue(forKey: "status") }
    if type.isCustom && type.subresources.contains("status") { o.removeValue(forKey: "status") }
    o = try prepare(type, o, old: nil, in: &s, now: now)
    if dryRun { o["metadata"]["resourceVersion"] = .string(String(s.revision)); return o }
    s.revision += 1
    o["metadata"]["resourceVersion"] = .string(String(s.revision))
    o.removeValue(forKey: "apiVersion")
    o.removeValue(forKey: "kind")
    s.buckets[type.storageGroupResource, default: [:]][key] = o
    ObjectStore.record(ChangeEvent(type: "ADDED", resourceVersion: s.revision, storage: type.storageGroupResource, object: o, previous: nil), in: &s)
    try afterWrite(type, old: nil, new: o, in: &s)
    return o
  }

  func checkName(_ type: ResourceType, _ name: String) throws(StatusError) {
    let isLabel = type == BuiltinResources.namespaces || type == BuiltinResources.services
    let ok = isLabel ? Identifiers.isDNSLabel(name) : Identifiers.isDNSSubdomain(name)
    if !ok {
      let rule = isLabel
        ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
        : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
      throw StatusError.invalid(type, name, [("metadata.name", "FieldValueInvalid", "Invalid value: \"\(name)\": \(rule)")])
    }
  }

  /// Replaces an object (PUT). `subresource` "status" writes only the status.
  public func update(_ type: ResourceType, namespace: String, name: String, object: JSON, subresource: String? = nil, dryRun: Bool = false) throws(StatusError) -> JSON {
    guard case .object = object else { throw .badRequest("the body of the request is not a JSON object") }
    if object.name != name { throw .badRequest("the name of the object (\(object.name)) does not match the name on the URL (\(name))") }
    let bodyRV = object.resourceVersion
    return try modify(type, namespace: namespace, name: name, subresource: subresource, dryRun: dryRun, precondition: bodyRV, requireVersion: type.isCustom) {
      (_: JSON) throws(StatusError) -> JSON in object
    }
  }

  /// Read-modify-write under the store lock (PATCH, and the simulator's status writes).
  /// `precondition` is a resourceVersion the stored object must have (409 otherwise).
  public func modify(
    _ type: ResourceType, namespace: String, name: String, subresource: String? = nil, dryRun: Bool = false,
    precondition: String? = nil, requireVersion: Bool = false,
    _ change: (JSON) throws(StatusError) -> JSON
  ) throws(StatusError) -> JSON {
    let result = try state.withLock { (s: inout State) throws(StatusError) -> JSON? in
      let key = ObjectKey(type.namespaced ? namespace : "", name)
      guard let old = s.buckets[type.storageGroupResource]?[key] else { throw StatusError.notFound(type, name) }
      if requireVersion && (precondition ?? "").isEmpty {
        throw StatusError.invalid(type, name, [("metadata.resourceVersion", "FieldValueInvalid", "Invalid value: 0x0: must be specified for an update")])
      }
      if let p = precondition, !p.isEmpty, p != old.resourceVersion { throw StatusError.conflict(type, name) }
      var candidate = try change(present(old, as: type))
      guard case .object = candidate else { throw .badRequest("the result is not a JSON object") }
      if let rv = candidate.resourceVersion, !rv.isEmpty, rv != old.resourceVersion { throw StatusError.conflict(type, name) }
      if candidate.name != name {
        throw .badRequest("the name of the object (\(candidate.name)) does not match the name on the URL (\(name))")
      }
      candidate.removeValue(forKey: "apiVersion")
      candidate.removeValue(forKey: "kind")
      return try commitLocked(type, key: key, old: old, candidate: candidate, subresource: subresource, dryRun: dryRun, in: &s)
    }
    guard let stored = result else { return present(get(type, namespace: namespace, name: name) ?? [:], as: type) }
    if !dryRun { signal.notify() }
    return present(stored, as: type)
  }

  /// Applies the status split, keeps system metadata, validates, bumps generation and revision.
  /// Returns nil when nothing changed (no new revision, like the apiserver's no-op update).
  func commitLocked(_ type: ResourceType, key: ObjectKey, old: JSON, candidate: JSON, subresource: String?, dryRun: Bool, in s: inout State) throws(StatusError) -> JSON? {
    var new = candidate
    if subresource == "status" {
      new = old
      new["status"] = candidate["status"]
    } else if type.subresources.contains("status") {
      new["status"] = old["status"]
      if old["status"].isNull { new.removeValue(forKey: "status") }
    }
    for field in ["uid", "creationTimestamp", "namespace", "name", "deletionTimestamp", "deletionGracePeriodSeconds"] {
      new["metadata"][field] = old["metadata"][field]
      if old["metadata"][field].isNull { new["metadata"].removeValue(forKey: field) }
    }
    new["metadata"].removeValue(forKey: "managedFields")
    new["metadata"]["generation"] = old["metadata"]["generation"]
    if !type.hasGeneration { new["metadata"].removeValue(forKey: "generation") }
    if old.isBeingDeleted {
      let added = Set(new.finalizers).subtracting(old.finalizers)
      if !added.isEmpty {
        throw StatusError.invalid(type, key.name, [("metadata.finalizers", "FieldValueForbidden", "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\(added.sorted().map { "\"\($0)\"" }.joined(separator: ", "))}")])
      }
    }
    new = try prepare(type, new, old: old, in: &s, now: clock())
    if type.hasGeneration {
      let specChanged = type.isCustom && !type.subresources.contains("status")
        ? { var a = new, b = old; a.removeValue(forKey: "metadata"); b.removeValue(forKey: "metadata"); return a != b }()
        : new.specPart != old.specPart
      if specChanged { new["metadata"]["generation"] = .int(old.generation + 1) }
    }
    new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
    if new == old { return nil }
    if dryRun { return new }
    s.revision += 1
    new["metadata"]["resourceVersion"] = .string(String(s.revision))
    if new.isBeingDeleted && new.finalizers.isEmpty {
      s.buckets[type.storageGroupResource]?[key] = nil
      ObjectStore.record(ChangeEvent(type: "DELETED", resourceVersion: s.revision, storage: type.storageGroupResource, object: new, previous: old), in: &s)
      // The owner is gone now: background garbage collection takes its dependents.
      collectDependents(of: [new.uid], namespace: key.namespace, in: &s)
      try afterDelete(type, new, in: &s)
      return new
    }
    s.buckets[type.storageGroupResource]?[key] = new
    ObjectStore.record(ChangeEvent(type: "MODIFIED", resourceVersion: s.revision, storage: type.storageGroupResource, object: new, previous: old), in: &s)
    try afterWrite(type, old: old, new: new, in: &s)
    return new
  }
}
