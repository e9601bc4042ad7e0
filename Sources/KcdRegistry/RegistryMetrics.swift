import KcdCore

extension OCIRegistryClient.Options {
  /// The SPEC §5 metric name; labels are the registry host and the status code or transport
  /// failure label, both bounded (hosts come from configured KCDs, not from requests).
  public static let requestsMetric = "kcd_registry_requests_total"

  /// Counts every request in `kcd_registry_requests_total{registry,code}`, keeping any
  /// `onRequest` hook already set.
  public mutating func countRequests(in metrics: MetricsRegistry) {
    metrics.counter(Self.requestsMetric, help: "HTTP requests to registries by registry host and status code (or transport failure).", labels: ["registry", "code"])
    let previous = onRequest
    onRequest = { registry, code in
      metrics.increment(Self.requestsMetric, [registry, code])
      previous?(registry, code)
    }
  }
}
