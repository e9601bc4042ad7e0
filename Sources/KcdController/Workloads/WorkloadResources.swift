import KcdKube

/// The API version kcd lists, watches and patches each workload kind through, chosen once at
/// start-up from what the cluster serves (Kubernetes 1.20 serves CronJobs as batch/v1beta1 only).
/// The pod template sits at the same path in every version, so only the resource differs.
public struct WorkloadResources: Sendable, Equatable, CustomStringConvertible {
  let chosen: [WorkloadKind: KubeResource]

  public init(_ chosen: [WorkloadKind: KubeResource] = [:]) {
    self.chosen = chosen
  }

  /// Every kind at its preferred version: what kcd uses when discovery could not answer.
  public static let preferred = WorkloadResources()

  public func resource(_ kind: WorkloadKind) -> KubeResource { chosen[kind] ?? kind.preferredResource }

  /// The first candidate of each kind that the cluster serves; a kind served in none of its
  /// versions keeps its preferred one (its informer then reports it unavailable).
  /// `served(groupVersion)` is the plurals that group/version serves, nil when it is not served.
  public static func choose(served: (String) -> Set<String>?) -> WorkloadResources {
    var chosen: [WorkloadKind: KubeResource] = [:]
    for kind in WorkloadKind.allCases where kind.candidates.count > 1 {
      if let r = kind.candidates.first(where: { served($0.apiVersion)?.contains($0.plural) == true }) { chosen[kind] = r }
    }
    return WorkloadResources(chosen)
  }

  /// `CronJob=batch/v1beta1, Deployment=apps/v1, …` for the start-up log.
  public var description: String {
    WorkloadKind.allCases.map { "\($0.rawValue)=\(resource($0).apiVersion)" }.joined(separator: ", ")
  }
}
