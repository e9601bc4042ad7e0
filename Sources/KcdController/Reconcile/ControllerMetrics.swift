import KcdCore

/// Metric names (contract: SPEC §5, except the informer ones).
public enum ControllerMetrics {
  public static let eventToPatch = "kcd_event_to_patch_seconds"
  public static let eventToAvailable = "kcd_event_to_available_seconds"
  public static let rolloutsTotal = "kcd_rollouts_total"
  public static let rolloutDuration = "kcd_rollout_duration_seconds"
  public static let queueDepth = "kcd_queue_depth"
  public static let leader = "kcd_leader"
  public static let kubeRequests = "kcd_kube_requests_total"
  public static let hookRequests = "kcd_hook_requests_total"
  public static let registryRequests = "kcd_registry_requests_total"
  public static let digestMismatches = "kcd_digest_mismatch_total"
  public static let informerFailures = "kcd_informer_failures_total"
  public static let informerUnavailable = "kcd_informer_unavailable"
  public static let kubeRateLimit = "kcd_kube_rate_limit"

  public static func register(_ m: MetricsRegistry) {
    m.histogram(eventToPatch, help: "Seconds from webhook receipt to the workload patch being accepted.",
                buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
    m.histogram(eventToAvailable, help: "Seconds from webhook receipt to every workload of the rollout being available (successful rollouts).",
                buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800])
    m.counter(rolloutsTotal, help: "Rollouts finished, by result.", labels: ["result"])
    m.histogram(rolloutDuration, help: "Seconds from rollout start to its result.", buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600])
    m.gauge(queueDepth, help: "KCDs waiting to be reconciled.")
    m.gauge(leader, help: "1 when this replica is the leader.")
    m.counter(kubeRequests, help: "Kubernetes API requests, by verb and status code.", labels: ["verb", "code"])
    m.counter(hookRequests, help: "Webhook requests, by source and status code.", labels: ["source", "code"])
    m.counter(registryRequests, help: "Registry requests, by registry host and status code.", labels: ["registry", "code"])
    m.counter(digestMismatches, help: "Events whose claimed digest the registry contradicted, by source.", labels: ["source"])
    registerInformerMetrics(m)
  }

  static func registerInformerMetrics(_ m: MetricsRegistry) {
    m.counter(informerFailures, help: "Failed lists and watches of kcd's caches, by resource.", labels: ["resource"])
    m.gauge(informerUnavailable, help: "1 while a resource kcd caches is not served (404) or not permitted (403); KCDs cannot find workloads of that kind.",
            labels: ["resource"])
    m.gauge(kubeRateLimit, help: "Kubernetes API requests per second kcd allows itself now (lowered while the server pushes back).")
  }
}
