import KcdController
import KcdCore
import KcdHooks
import KcdJSON
import KcdKube
import KcdRegistry
import Synchronization

/// Registry credentials from the pull secrets of the workloads that run a repository in one
/// namespace: their `imagePullSecrets` and their service accounts'. A KCD's look-ups use its own
/// namespace's secrets only (never another tenant's). Secrets are read only when needed and
/// cached for a minute; a Secret kcd may not read (403) is skipped, not fatal — kcd reads
/// Secrets only where RBAC lets it.
final class PullSecretCredentials: Sendable {
  struct Cached {
    var credentials: RegistryCredentials
    var at: Double
  }

  let client: KubeClient
  let controller: Controller
  let log: Logger
  let cache = Mutex<[String: Cached]>([:])
  /// Per repository: the merged answer, so a burst of look-ups costs one walk.
  let byRepository = Mutex<[String: Cached]>([:])
  /// Per service account: its pull-secret names (empty when it does not exist).
  let accounts = Mutex<[String: ([String], Double)]>([:])
  let ttl: Double

  init(client: KubeClient, controller: Controller, log: Logger, ttl: Double = 60) {
    self.client = client
    self.controller = controller
    self.log = log
    self.ttl = ttl
  }

  /// Credentials from every workload that a KCD of `namespace` following `repository` selects.
  func credentials(for repository: String, namespace: String) -> RegistryCredentials {
    let canonical = RepositoryName.normalize(repository)
    let key = "\(namespace)\u{0}\(canonical)"
    let now = Timestamps.now()
    if let c = byRepository.withLock({ $0[key] }), now - c.at < ttl { return c.credentials }
    let merged = walk(canonical, namespace: namespace)
    byRepository.withLock { $0[key] = Cached(credentials: merged, at: now) }
    return merged
  }

  func walk(_ canonical: String, namespace: String) -> RegistryCredentials {
    var merged = RegistryCredentials()
    var seen: Set<String> = []
    for kcd in controller.kcds.inNamespace(namespace) {
      guard let spec = kcd.spec, spec.repository == canonical else { continue }
      for w in controller.workloads.inNamespace(namespace) where spec.selects(w.labels) {
        let names = w.pullSecrets + serviceAccountPullSecrets(namespace: namespace, name: w.serviceAccount ?? "default")
        for name in names where seen.insert(name).inserted {
          merged = merged.merging(secret(namespace: namespace, name: name))
        }
      }
    }
    return merged
  }

  func serviceAccountPullSecrets(namespace: String, name: String) -> [String] {
    let key = "\(namespace)/\(name)"
    let now = Timestamps.now()
    if let (names, at) = accounts.withLock({ $0[key] }), now - at < ttl { return names }
    let sa = try? client.get(KubeResource(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount"), namespace: namespace, name: name)
    let names = (sa?["imagePullSecrets"].arrayValue ?? []).compactMap { $0["name"].stringValue }
    accounts.withLock { $0[key] = (names, now) }
    return names
  }

  func secret(namespace: String, name: String) -> RegistryCredentials {
    let key = "\(namespace)/\(name)"
    let now = Timestamps.now()
    if let c = cache.withLock({ $0[key] }), now - c.at < ttl { return c.credentials }
    var credentials = RegistryCredentials()
    do {
      let s = try client.get(.secrets, namespace: namespace, name: name)
      let data = s["data"]
      if let b64 = data[".dockerconfigjson"].stringValue, let bytes = Base64.decode(b64) {
        credentials = (try? RegistryCredentials.parseDockerConfigJSON(bytes)) ?? credentials
      } else if let b64 = data[".dockercfg"].stringValue, let bytes = Base64.decode(b64) {
        credentials = (try? RegistryCredentials.parseDockerCfg(bytes)) ?? credentials
      }
    } catch {
      if !error.isNotFound { log.warn("cannot read pull secret", [("secret", key), ("error", error.label)]) }
    }
    cache.withLock { $0[key] = Cached(credentials: credentials, at: now) }
    return credentials
  }
}
