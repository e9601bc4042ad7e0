import KcdCore
import KcdJSON

/// Deletion with finalizers (deletionTimestamp first, removal when the last one goes) and
/// garbage collection of dependents by ownerReferences, as background propagation does.
extension ObjectStore {
  public enum DeleteOutcome: Sendable {
    /// Gone now; the last state.
    case deleted(JSON)
    /// Finalizers remain; the object now carries deletionTimestamp.
    case pending(JSON)
  }

  public func delete(
    _ type: ResourceType, namespace: String, name: String, precondition: String? = nil, uidPrecondition: String? = nil,
    propagation: String = "Background", dryRun: Bool = false
  ) throws(StatusError) -> DeleteOutcome {
    let outcome = try state.withLock { (s: inout State) throws(StatusError) -> DeleteOutcome in
      let key = ObjectKey(type.namespaced ? namespace : "", name)
      guard let old = s.buckets[type.storageGroupResource]?[key] else { throw StatusError.notFound(type, name) }
      if let p = precondition, !p.isEmpty, p != old.resourceVersion { throw StatusError.conflict(type, name) }
      if let u = uidPrecondition, !u.isEmpty, u != old.uid {
        throw StatusError(code: 409, reason: "Conflict", message: "Precondition failed: UID in precondition: \(u), UID in object meta: \(old.uid)", details: StatusError.details(type, name))
      }
      if dryRun { return .deleted(old) }
      if type == BuiltinResources.namespaces {
        // A namespace goes Terminating; the namespace controller (the simulator) empties and removes it.
        if old.isBeingDeleted { return .deleted(old) }
        var new = old
        new["metadata"]["deletionTimestamp"] = .string(GoTime(clock()).formatted(.rfc3339))
        new["status"]["phase"] = "Terminating"
        s.revision += 1
        new["metadata"]["resourceVersion"] = .string(String(s.revision))
        s.buckets[type.storageGroupResource]?[key] = new
        ObjectStore.record(ChangeEvent(type: "MODIFIED", resourceVersion: s.revision, storage: type.storageGroupResource, object: new, previous: old), in: &s)
        return .deleted(new)
      }
      let finalizers = old.finalizers
      if !finalizers.isEmpty {
        if old.isBeingDeleted { return .pending(old) }
        var new = old
        new["metadata"]["deletionTimestamp"] = .string(GoTime(clock()).formatted(.rfc3339))
        new["metadata"]["deletionGracePeriodSeconds"] = 0
        s.revision += 1
        new["metadata"]["resourceVersion"] = .string(String(s.revision))
        s.buckets[type.storageGroupResource]?[key] = new
        ObjectStore.record(ChangeEvent(type: "MODIFIED", resourceVersion: s.revision, storage: type.storageGroupResource, object: new, previous: old), in: &s)
        // The GC honours Orphan while the owner waits; its later removal must not collect them.
        if propagation == "Orphan" { orphanDependents(of: old.uid, in: &s) }
        return .pending(new)
      }
      let gone = removeLocked(type, key: key, in: &s)
      if propagation != "Orphan" { collectDependents(of: [old.uid], namespace: key.namespace, in: &s) } else { orphanDependents(of: old.uid, in: &s) }
      try afterDelete(type, gone, in: &s)
      return .deleted(gone)
    }
    if !dryRun { signal.notify() }
    switch outcome {
    case .deleted(let o): return .deleted(present(o, as: type))
    case .pending(let o): return .pending(present(o, as: type))
    }
  }

  /// Removes an object now and records DELETED with the deletion's revision.
  @discardableResult
  func removeLocked(_ type: ResourceType, key: ObjectKey, in s: inout State) -> JSON {
    guard var old = s.buckets[type.storageGroupResource]?.removeValue(forKey: key) else { return [:] }
    s.revision += 1
    let previous = old
    old["metadata"]["resourceVersion"] = .string(String(s.revision))
    ObjectStore.record(ChangeEvent(type: "DELETED", resourceVersion: s.revision, storage: type.storageGroupResource, object: old, previous: previous), in: &s)
    return old
  }

  func storageType(_ storage: String, in s: State) -> ResourceType? {
    s.types.values.first { $0.storageGroupResource == storage }
  }

  /// Background propagation: dependents whose ownerReferences name a deleted uid go too.
  func collectDependents(of uids: [String], namespace: String, in s: inout State) {
    var pending = Set(uids.filter { !$0.isEmpty })
    while !pending.isEmpty {
      var next: Set<String> = []
      for (storage, bucket) in s.buckets {
        guard let type = storageType(storage, in: s) else { continue }
        for (key, object) in bucket where !Set(object.ownerUIDs).isDisjoint(with: pending) {
          if !object.finalizers.isEmpty { continue }
          removeLocked(type, key: key, in: &s)
          next.insert(object.uid)
        }
      }
      pending = next
    }
  }

  func orphanDependents(of uid: String, in s: inout State) {
    for (storage, bucket) in s.buckets {
      for (key, object) in bucket where object.ownerUIDs.contains(uid) {
        var new = object
        let refs = object["metadata"]["ownerReferences"].arrayValue?.filter { $0["uid"].stringValue != uid } ?? []
        if refs.isEmpty { new["metadata"].removeValue(forKey: "ownerReferences") } else { new["metadata"]["ownerReferences"] = .array(refs) }
        s.revision += 1
        new["metadata"]["resourceVersion"] = .string(String(s.revision))
        s.buckets[storage]?[key] = new
        ObjectStore.record(ChangeEvent(type: "MODIFIED", resourceVersion: s.revision, storage: storage, object: new, previous: object), in: &s)
      }
    }
  }

  /// The namespace controller's work: remove everything in a terminating namespace, then it.
  public func finalizeNamespace(_ name: String) {
    let done = state.withLock { (s: inout State) -> Bool in
      let type = BuiltinResources.namespaces
      let key = ObjectKey("", name)
      guard let ns = s.buckets[type.storageGroupResource]?[key], ns.isBeingDeleted else { return false }
      // Contents first, then the namespace, as the namespace controller empties it before the
      // "kubernetes" finalizer goes: watchers never see a namespace vanish before its objects.
      try? afterDelete(type, ns, in: &s)
      removeLocked(type, key: key, in: &s)
      return true
    }
    if done { signal.notify() }
  }

  /// Side effects of a removal: a namespace takes its objects with it; a CRD its type and objects.
  func afterDelete(_ type: ResourceType, _ object: JSON, in s: inout State) throws(StatusError) {
    if type == BuiltinResources.namespaces {
      let ns = object.name
      for (storage, bucket) in s.buckets {
        guard let t = storageType(storage, in: s), t.namespaced else { continue }
        for key in bucket.keys where key.namespace == ns { removeLocked(t, key: key, in: &s) }
      }
    } else if type == BuiltinResources.customResourceDefinitions {
      unregisterCRD(object, in: &s)
    }
  }
}
