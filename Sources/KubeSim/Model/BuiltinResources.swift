/// The built-in resources KubeSim serves: what kcd and kubectl touch, nothing pretended.
public enum BuiltinResources {
  static func r(_ group: String, _ version: String, _ plural: String, _ singular: String, _ kind: String, namespaced: Bool = true) -> ResourceType {
    ResourceType(group: group, version: version, plural: plural, singular: singular, kind: kind, namespaced: namespaced)
  }

  public static let namespaces = r("", "v1", "namespaces", "namespace", "Namespace", namespaced: false).with {
    $0.shortNames = ["ns"]; $0.subresources = ["status"]; $0.hasGeneration = false
  }
  public static let configMaps = r("", "v1", "configmaps", "configmap", "ConfigMap").with { $0.shortNames = ["cm"]; $0.hasGeneration = false }
  public static let secrets = r("", "v1", "secrets", "secret", "Secret").with { $0.hasGeneration = false }
  public static let services = r("", "v1", "services", "service", "Service").with {
    $0.shortNames = ["svc"]; $0.categories = ["all"]; $0.subresources = ["status"]; $0.hasGeneration = false
  }
  public static let serviceAccounts = r("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount").with { $0.shortNames = ["sa"]; $0.hasGeneration = false }
  public static let pods = r("", "v1", "pods", "pod", "Pod").with {
    $0.shortNames = ["po"]; $0.categories = ["all"]; $0.subresources = ["status", "log"]; $0.hasGeneration = false
  }
  public static let nodes = r("", "v1", "nodes", "node", "Node", namespaced: false).with { $0.shortNames = ["no"]; $0.subresources = ["status"]; $0.hasGeneration = false }
  public static let events = r("", "v1", "events", "event", "Event").with { $0.shortNames = ["ev"]; $0.hasGeneration = false }
  public static let deployments = r("apps", "v1", "deployments", "deployment", "Deployment").with {
    $0.shortNames = ["deploy"]; $0.categories = ["all"]; $0.subresources = ["status", "scale"]
  }
  public static let statefulSets = r("apps", "v1", "statefulsets", "statefulset", "StatefulSet").with {
    $0.shortNames = ["sts"]; $0.categories = ["all"]; $0.subresources = ["status", "scale"]
  }
  public static let daemonSets = r("apps", "v1", "daemonsets", "daemonset", "DaemonSet").with {
    $0.shortNames = ["ds"]; $0.categories = ["all"]; $0.subresources = ["status"]
  }
  public static let replicaSets = r("apps", "v1", "replicasets", "replicaset", "ReplicaSet").with {
    $0.shortNames = ["rs"]; $0.categories = ["all"]; $0.subresources = ["status", "scale"]
  }
  public static let controllerRevisions = r("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision").with { $0.hasGeneration = false }
  public static let jobs = r("batch", "v1", "jobs", "job", "Job").with { $0.categories = ["all"]; $0.subresources = ["status"] }
  public static let cronJobs = r("batch", "v1", "cronjobs", "cronjob", "CronJob").with {
    $0.shortNames = ["cj"]; $0.categories = ["all"]; $0.subresources = ["status"]
  }
  public static let leases = r("coordination.k8s.io", "v1", "leases", "lease", "Lease").with { $0.hasGeneration = false }
  public static let eventsV1 = r("events.k8s.io", "v1", "events", "event", "Event").with { $0.shortNames = ["ev"]; $0.hasGeneration = false }
  public static let customResourceDefinitions = r("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", namespaced: false).with {
    $0.shortNames = ["crd", "crds"]; $0.categories = ["api-extensions"]; $0.subresources = ["status"]
  }
  public static let tokenReviews = r("authentication.k8s.io", "v1", "tokenreviews", "tokenreview", "TokenReview", namespaced: false).with {
    $0.createOnly = true; $0.hasGeneration = false
  }
  /// "Who am I" (authentication.k8s.io/v1 since 1.28; `kubectl auth whoami`).
  public static let selfSubjectReviews = r("authentication.k8s.io", "v1", "selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview", namespaced: false).with {
    $0.createOnly = true; $0.hasGeneration = false
  }
  public static let subjectAccessReviews = r("authorization.k8s.io", "v1", "subjectaccessreviews", "subjectaccessreview", "SubjectAccessReview", namespaced: false).with {
    $0.createOnly = true; $0.hasGeneration = false
  }

  public static let all: [ResourceType] = [
    namespaces, configMaps, secrets, services, serviceAccounts, pods, nodes, events,
    deployments, statefulSets, daemonSets, replicaSets, controllerRevisions,
    jobs, cronJobs, leases, eventsV1, customResourceDefinitions, tokenReviews, selfSubjectReviews, subjectAccessReviews,
  ] + rbac + [ingresses, networkPolicies, podDisruptionBudgets]

  /// The same CronJob storage served as batch/v1beta1, for servers that pretend to be 1.20.
  public static let cronJobsV1beta1 = cronJobs.with { $0.version = "v1beta1" }

  /// TokenReview as authentication.k8s.io/v1beta1 served it until 1.22.
  public static let tokenReviewsV1beta1 = tokenReviews.with { $0.version = "v1beta1" }
}
