/// The Kubernetes minor version KubeSim answers as (`--server-version`), and the behaviour that
/// changed by version which a client of that version can notice.
public struct EmulatedVersion: Sendable, Hashable {
  public var minor: Int
  /// Serve batch/v1beta1 CronJobs even where the emulated version no longer does (`--serve-batch-v1beta1`).
  public var forceBatchV1beta1 = false

  public init(minor: Int, forceBatchV1beta1: Bool = false) {
    self.minor = minor
    self.forceBatchV1beta1 = forceBatchV1beta1
  }

  /// `metadata.selfLink` is filled in before 1.20: the RemoveSelfLink gate went beta (on by
  /// default) in 1.20 and GA in 1.24 (KEP-1164), so 1.20–1.23 leave it empty as 1.24 does.
  var setsSelfLink: Bool { minor < 20 }

  /// A merge patch that is not JSON is a 400 "Invalid JSON Patch" from 1.22 (json-patch 4.11,
  /// which exports `ErrBadJSONPatch`, and the apiserver's check for it); a 500 before.
  var rejectsBadMergePatchAsBadRequest: Bool { minor >= 22 }

  /// The built-in types served at this version, by when each group version came and went
  /// (the Kubernetes deprecated API migration guide): batch/v1 CronJob and policy/v1 PDB are
  /// GA in 1.21; batch/v1beta1 CronJob and policy/v1beta1 PDB are gone in 1.25;
  /// authentication.k8s.io/v1beta1 TokenReview is gone in 1.22; SelfSubjectReview is GA
  /// (authentication.k8s.io/v1) in 1.28.
  var builtinTypes: [ResourceType] {
    var types = BuiltinResources.all.filter { t in
      (minor >= 21 || (t != BuiltinResources.cronJobs && t != BuiltinResources.podDisruptionBudgets))
        && (minor >= 28 || t != BuiltinResources.selfSubjectReviews)
    }
    if minor < 25 || forceBatchV1beta1 { types.append(BuiltinResources.cronJobsV1beta1) }
    if minor < 25 { types.append(BuiltinResources.podDisruptionBudgetsV1beta1) }
    if minor < 22 { types.append(BuiltinResources.tokenReviewsV1beta1) }
    return types
  }
}
