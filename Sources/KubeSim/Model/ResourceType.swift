import KcdJSON

/// One served resource of one group version, as discovery describes it.
public struct ResourceType: Sendable, Hashable {
  public var group: String
  public var version: String
  public var plural: String
  public var singular: String
  public var kind: String
  public var namespaced: Bool
  public var shortNames: [String] = []
  public var categories: [String] = []
  public var subresources: Set<String> = []
  /// Only create is served (TokenReview, SubjectAccessReview).
  public var createOnly = false
  /// The type keeps `metadata.generation` (objects with a spec).
  public var hasGeneration = true
  /// Served from a CustomResourceDefinition.
  public var isCustom = false
  /// Objects of several versions of one resource share storage (batch/v1 and v1beta1 CronJobs).
  public var storageGroupResource: String { "\(group)/\(plural)" }

  public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

  /// `deployments.apps`, or `configmaps` for the core group: the form used in messages.
  public var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }

  public var listKind: String { "\(kind)List" }

  public var verbs: [String] {
    if createOnly { return ["create"] }
    return ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
  }

  /// The path prefix of this type's group version: `/api/v1` or `/apis/apps/v1`.
  public var apiPrefix: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

  public init(group: String, version: String, plural: String, singular: String, kind: String, namespaced: Bool) {
    self.group = group
    self.version = version
    self.plural = plural
    self.singular = singular
    self.kind = kind
    self.namespaced = namespaced
  }

  func with(_ change: (inout ResourceType) -> Void) -> ResourceType {
    var copy = self
    change(&copy)
    return copy
  }
}
