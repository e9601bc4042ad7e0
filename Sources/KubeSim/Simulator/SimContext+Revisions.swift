import KcdJSON

/// ControllerRevisions for StatefulSets and DaemonSets: one per pod template, its `data` the
/// strategic merge patch `kubectl rollout undo` applies (`$patch: replace` on the template).
extension SimContext {
  /// The revision object for the current template, created or moved to the newest revision.
  mutating func currentRevision(of owner: JSON, ownerKind: String) -> (name: String, hash: String)? {
    let template = owner["spec"]["template"]
    let hash = Identifiers.hash(template.serialized())
    let name = "\(owner.name)-\(hash)"
    let revisions = owned(BuiltinResources.controllerRevisions, namespace: owner.namespace, ownerKind: ownerKind, ownerName: owner.name)
    let maxRevision = revisions.compactMap { $0["revision"].intValue }.max() ?? 0
    if let existing = revisions.first(where: { $0.name == name }) {
      if (existing["revision"].intValue ?? 0) < maxRevision {
        _ = try? store.modify(BuiltinResources.controllerRevisions, namespace: owner.namespace, name: name) { (o: JSON) throws(StatusError) -> JSON in
          var c = o
          c["revision"] = .int(maxRevision + 1)
          return c
        }
        invalidate(BuiltinResources.controllerRevisions, namespace: owner.namespace)
      }
      return (name, hash)
    }
    var data = template
    data["$patch"] = "replace"
    var labels = template.labels
    labels["controller-revision-hash"] = hash
    let revision: JSON = [
      "metadata": ["name": .string(name), "labels": JSON.labelMap(labels),
                   "ownerReferences": [PodFactory.ownerReference(kind: ownerKind, apiVersion: "apps/v1", of: owner)]],
      "data": ["spec": ["template": data]], "revision": .int(maxRevision + 1),
    ]
    guard (try? store.create(BuiltinResources.controllerRevisions, namespace: owner.namespace, object: revision)) != nil else { return nil }
    invalidate(BuiltinResources.controllerRevisions, namespace: owner.namespace)
    trimRevisions(of: owner, ownerKind: ownerKind, keep: name)
    return (name, hash)
  }

  mutating func trimRevisions(of owner: JSON, ownerKind: String, keep: String) {
    let limit = Int(owner["spec"]["revisionHistoryLimit"].intValue ?? 10)
    let revisions = owned(BuiltinResources.controllerRevisions, namespace: owner.namespace, ownerKind: ownerKind, ownerName: owner.name)
      .filter { $0.name != keep }.sorted { ($0["revision"].intValue ?? 0) < ($1["revision"].intValue ?? 0) }
    guard revisions.count > limit else { return }
    for r in revisions.prefix(revisions.count - limit) {
      _ = try? store.delete(BuiltinResources.controllerRevisions, namespace: r.namespace, name: r.name)
    }
    invalidate(BuiltinResources.controllerRevisions, namespace: owner.namespace)
  }

  func revisionTemplate(_ owner: JSON, ownerKind: String, revisionName: String) -> JSON? {
    store.get(BuiltinResources.controllerRevisions, namespace: owner.namespace, name: revisionName).map {
      var t = $0["data"]["spec"]["template"]
      t.removeValue(forKey: "$patch")
      return t
    }
  }
}
