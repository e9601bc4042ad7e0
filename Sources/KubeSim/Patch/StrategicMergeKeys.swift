/// How a list field is patched: the Go struct tags `patchStrategy`/`patchMergeKey` of the
/// built-in types, which strategic merge patch needs because JSON alone cannot say it.
enum ListPatchStrategy: Equatable, Sendable {
  /// Atomic list: the patch list replaces the live one (the default).
  case replace
  /// List of objects merged element by element on this key (`containers` by `name`).
  case mergeByKey(String)
  /// List of primitives merged as an unordered set (`finalizers`).
  case mergeAsSet
}

/// Patch metadata for the built-in kinds kcd deals with, looked up by the field's path from the
/// object root because the same name means different things in different places (container
/// `ports` merge on `containerPort`, Service `spec.ports` on `port`). List elements are
/// transparent in paths: `env` of a Deployment container is `spec.template.spec.containers.env`.
enum StrategicMergeKeys {
  /// Where a rule's field sits, judged from the path of the object that holds it.
  enum Scope: Sendable {
    /// Any PodSpec: Pod, PodTemplate, workload templates and CronJob job templates.
    case podSpec
    /// A container, init container or ephemeral container of any PodSpec.
    case container
    /// Any ObjectMeta (the object's own or a pod template's).
    case objectMeta
    /// The object's top-level `status`.
    case status
    /// Anywhere at all.
    case anywhere
    /// Exactly this holder path (for fields only one kind has, like Service `spec.ports`).
    case holder([String])
  }

  struct Rule: Sendable {
    let scope: Scope
    let field: String
    let strategy: ListPatchStrategy
  }

  /// Every path at which a PodSpec appears in the built-in kinds.
  static let podSpecPaths: Set<[String]> = [
    ["spec"],  // Pod
    ["template", "spec"],  // PodTemplate
    ["spec", "template", "spec"],  // Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController
    ["spec", "jobTemplate", "spec", "template", "spec"],  // CronJob
  ]

  static let containerLists: Set<String> = ["containers", "initContainers", "ephemeralContainers"]

  static let rules: [Rule] = [
    Rule(scope: .podSpec, field: "containers", strategy: .mergeByKey("name")),
    Rule(scope: .podSpec, field: "initContainers", strategy: .mergeByKey("name")),
    Rule(scope: .podSpec, field: "ephemeralContainers", strategy: .mergeByKey("name")),
    Rule(scope: .podSpec, field: "volumes", strategy: .mergeByKey("name")),
    Rule(scope: .podSpec, field: "imagePullSecrets", strategy: .mergeByKey("name")),
    Rule(scope: .podSpec, field: "hostAliases", strategy: .mergeByKey("ip")),
    Rule(scope: .podSpec, field: "topologySpreadConstraints", strategy: .mergeByKey("topologyKey")),
    Rule(scope: .podSpec, field: "resourceClaims", strategy: .mergeByKey("name")),
    Rule(scope: .podSpec, field: "schedulingGates", strategy: .mergeByKey("name")),
    Rule(scope: .container, field: "env", strategy: .mergeByKey("name")),
    Rule(scope: .container, field: "ports", strategy: .mergeByKey("containerPort")),
    Rule(scope: .container, field: "volumeMounts", strategy: .mergeByKey("mountPath")),
    Rule(scope: .container, field: "volumeDevices", strategy: .mergeByKey("devicePath")),
    Rule(scope: .objectMeta, field: "finalizers", strategy: .mergeAsSet),
    Rule(scope: .objectMeta, field: "ownerReferences", strategy: .mergeByKey("uid")),
    Rule(scope: .status, field: "podIPs", strategy: .mergeByKey("ip")),
    Rule(scope: .status, field: "hostIPs", strategy: .mergeByKey("ip")),
    Rule(scope: .status, field: "addresses", strategy: .mergeByKey("type")),  // Node
    Rule(scope: .anywhere, field: "conditions", strategy: .mergeByKey("type")),
    Rule(scope: .holder(["spec"]), field: "ports", strategy: .mergeByKey("port")),  // Service
    Rule(scope: .holder(["spec"]), field: "podCIDRs", strategy: .mergeAsSet),  // Node
    Rule(scope: .holder([]), field: "secrets", strategy: .mergeByKey("name")),  // ServiceAccount
  ]

  /// The strategy for the list at `path` (field names from the root, the list's own name last).
  static func strategy(forListAt path: [String]) -> ListPatchStrategy {
    guard let field = path.last else { return .replace }
    let holder = Array(path.dropLast())
    for rule in rules where rule.field == field && matches(rule.scope, holder: holder) {
      return rule.strategy
    }
    return .replace
  }

  static func matches(_ scope: Scope, holder: [String]) -> Bool {
    switch scope {
    case .podSpec: return podSpecPaths.contains(holder)
    case .container:
      guard let list = holder.last, containerLists.contains(list) else { return false }
      return podSpecPaths.contains(Array(holder.dropLast()))
    case .objectMeta: return holder.last == "metadata"
    case .status: return holder == ["status"]
    case .anywhere: return true
    case .holder(let path): return holder == path
    }
  }
}
