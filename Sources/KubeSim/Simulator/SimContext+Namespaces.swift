import KcdJSON

extension SimContext {
  /// The objects kube-controller-manager puts in every active namespace: the `default`
  /// ServiceAccount (serviceaccounts controller) and the `kube-root-ca.crt` ConfigMap
  /// (root-ca-cert-publisher, since 1.20). Both are recreated when deleted.
  static func isNamespaceObject(storage: String, name: String) -> Bool {
    (storage == BuiltinResources.serviceAccounts.storageGroupResource && name == "default")
      || (storage == BuiltinResources.configMaps.storageGroupResource && name == "kube-root-ca.crt")
  }

  /// The namespace controller: an active namespace gets its default objects; a terminating one
  /// is emptied and removed shortly after.
  mutating func runNamespace(_ key: WorkloadSimulator.WorkKey) {
    guard let ns = store.get(BuiltinResources.namespaces, namespace: "", name: key.name) else { return }
    guard ns.isBeingDeleted else {
      if options.namespaceObjects { ensureNamespaceObjects(key.name) }
      return
    }
    let grace = 2.0
    guard let seen = memos[ns.uid] ?? simulator.memo(ns.uid) else {
      memos[ns.uid] = WorkloadSimulator.Memo(lastProgress: simNow, counts: [])
      schedule(key, afterSimSeconds: grace)
      return
    }
    if simNow >= seen.lastProgress + grace { store.finalizeNamespace(key.name) } else { schedule(key, afterSimSeconds: seen.lastProgress + grace - simNow) }
  }

  func ensureNamespaceObjects(_ namespace: String) {
    if store.get(BuiltinResources.serviceAccounts, namespace: namespace, name: "default") == nil {
      _ = try? store.create(BuiltinResources.serviceAccounts, namespace: namespace, object: ["metadata": ["name": "default"]])
    }
    if store.get(BuiltinResources.configMaps, namespace: namespace, name: "kube-root-ca.crt") == nil {
      let object: JSON = [
        "metadata": ["name": "kube-root-ca.crt", "annotations": ["kubernetes.io/description": .string(SimContext.rootCADescription)]],
        "data": ["ca.crt": .string(options.rootCAPEM)],
      ]
      _ = try? store.create(BuiltinResources.configMaps, namespace: namespace, object: object)
    }
  }

  /// The annotation kube-controller-manager writes on `kube-root-ca.crt`.
  static let rootCADescription = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."
}
