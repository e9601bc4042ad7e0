/// A resource type as kcd addresses it: group, version, plural, scope; builds request paths.
public struct KubeResource: Sendable, Hashable, CustomStringConvertible {
  public var group: String
  public var version: String
  public var plural: String
  public var kind: String
  public var namespaced: Bool

  public init(group: String, version: String, plural: String, kind: String, namespaced: Bool = true) {
    self.group = group
    self.version = version
    self.plural = plural
    self.kind = kind
    self.namespaced = namespaced
  }

  public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

  public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

  /// `/api/v1/namespaces/ns/pods/name/status`, `/apis/apps/v1/deployments`, …
  public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
    var p = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
    if namespaced, let ns = namespace { p += "/namespaces/\(ns)" }
    p += "/\(plural)"
    if let name { p += "/\(name)" }
    if let subresource { p += "/\(subresource)" }
    return p
  }

  public static let deployments = KubeResource(group: "apps", version: "v1", plural: "deployments", kind: "Deployment")
  public static let statefulSets = KubeResource(group: "apps", version: "v1", plural: "statefulsets", kind: "StatefulSet")
  public static let daemonSets = KubeResource(group: "apps", version: "v1", plural: "daemonsets", kind: "DaemonSet")
  public static let replicaSets = KubeResource(group: "apps", version: "v1", plural: "replicasets", kind: "ReplicaSet")
  public static let pods = KubeResource(group: "", version: "v1", plural: "pods", kind: "Pod")
  public static let events = KubeResource(group: "", version: "v1", plural: "events", kind: "Event")
  public static let jobs = KubeResource(group: "batch", version: "v1", plural: "jobs", kind: "Job")
  public static let configMaps = KubeResource(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap")
  public static let services = KubeResource(group: "", version: "v1", plural: "services", kind: "Service")
  public static let secrets = KubeResource(group: "", version: "v1", plural: "secrets", kind: "Secret")
  public static let namespaces = KubeResource(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
  public static let leases = KubeResource(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease")
  public static let customResourceDefinitions = KubeResource(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
                                                             kind: "CustomResourceDefinition", namespaced: false)
  public static let kcds = KubeResource(group: "kcd.dev", version: "v1", plural: "kcds", kind: "KCD")
}
