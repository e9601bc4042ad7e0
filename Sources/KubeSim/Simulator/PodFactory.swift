import KcdJSON

/// Builds pods from a pod template the way the built-in controllers do: labels and spec from
/// the template, an owner reference to the controller, a node.
enum PodFactory {
  static func ownerReference(kind: String, apiVersion: String, of owner: JSON) -> JSON {
    ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(owner.name), "uid": .string(owner.uid),
     "controller": true, "blockOwnerDeletion": true]
  }

  static func pod(name: String, template: JSON, owner: JSON, ownerKind: String, ownerAPIVersion: String, node: String, extraLabels: [String: String] = [:]) -> JSON {
    var labels = template.labels
    for (k, v) in extraLabels { labels[k] = v }
    var metadata: JSON = ["name": .string(name), "namespace": .string(owner.namespace), "labels": JSON.labelMap(labels),
                          "ownerReferences": [ownerReference(kind: ownerKind, apiVersion: ownerAPIVersion, of: owner)]]
    if let a = template["metadata"]["annotations"].objectValue, !a.isEmpty { metadata["annotations"] = .object(a) }
    var spec = template["spec"]
    spec["nodeName"] = .string(node)
    return ["metadata": metadata, "spec": spec]
  }

  /// The controller an object names in its ownerReferences, if any.
  static func controller(of object: JSON) -> (kind: String, name: String)? {
    for ref in object["metadata"]["ownerReferences"].arrayValue ?? [] where ref["controller"].boolValue == true {
      if let k = ref["kind"].stringValue, let n = ref["name"].stringValue { return (k, n) }
    }
    return nil
  }
}
