import KcdController
import KcdCore
import KcdKube

extension KcdRuntime {
  /// The workload kinds' API versions from discovery, logged; on failure the preferred ones.
  static func discoverWorkloadResources(_ client: KubeClient, log: Logger) -> WorkloadResources {
    let found = WorkloadResources.discover(client)
    if let failure = found.failure {
      log.warn("cannot read API discovery; using the newest workload API versions", [("error", failure), ("versions", found.resources.description)])
    } else {
      log.info("workload API versions", [("versions", found.resources.description)])
    }
    return found.resources
  }
}
