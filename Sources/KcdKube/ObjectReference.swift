import KcdJSON

/// What an Event needs to point at an object (`involvedObject`), kept by the typed caches so
/// Events never need the object's JSON.
public struct ObjectReference: Sendable, Hashable {
  public var kind: String
  public var apiVersion: String
  public var namespace: String
  public var name: String
  public var uid: String
  public var resourceVersion: String

  public init(kind: String, apiVersion: String, namespace: String, name: String, uid: String = "", resourceVersion: String = "") {
    self.kind = kind
    self.apiVersion = apiVersion
    self.namespace = namespace
    self.name = name
    self.uid = uid
    self.resourceVersion = resourceVersion
  }

  /// From an object's JSON (kind and apiVersion from the object, else from `resource`).
  public init(_ object: JSON, resource: KubeResource? = nil) {
    let m = object["metadata"]
    self.init(kind: object["kind"].stringValue ?? resource?.kind ?? "", apiVersion: object["apiVersion"].stringValue ?? resource?.apiVersion ?? "",
              namespace: m["namespace"].stringValue ?? "", name: m["name"].stringValue ?? "", uid: m["uid"].stringValue ?? "",
              resourceVersion: m["resourceVersion"].stringValue ?? "")
  }

  public var json: JSON {
    ["kind": .string(kind), "apiVersion": .string(apiVersion), "name": .string(name), "namespace": .string(namespace), "uid": .string(uid),
     "resourceVersion": .string(resourceVersion)]
  }
}
