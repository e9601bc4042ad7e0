/// YAML for end-to-end tests: a namespace with `count` Deployments `app-N` (one replica, one
/// container `app`), each followed by its own KCD `app-N`.
public enum WorkloadManifests {
  /// `repository(i)` is the image repository app-N runs and its KCD follows; `kcdSpec` adds
  /// fields to each KCD's spec (flow style, e.g. `pollIntervalSeconds: 0`); `podSpec` adds to
  /// each pod spec (e.g. `imagePullSecrets: [{name: x}], `).
  public static func deploymentsWithKCDs(namespace: String, count: Int, tag: String = "main", oldTag: String = "old",
                                         repository: (Int) -> String, kcdSpec: String = "pollIntervalSeconds: 0", podSpec: String = "") -> String {
    var out = "apiVersion: v1\nkind: Namespace\nmetadata: {name: \(namespace)}\n"
    for i in 0..<count {
      out += """
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: app-\(i), namespace: \(namespace), labels: {app: app-\(i)}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: app-\(i)}}
          template:
            metadata: {labels: {app: app-\(i)}}
            spec: {\(podSpec)containers: [{name: app, image: "\(repository(i)):\(oldTag)"}]}
        ---
        apiVersion: kcd.dev/v1
        kind: KCD
        metadata: {name: app-\(i), namespace: \(namespace)}
        spec: {imageRepo: "\(repository(i))", tag: \(tag), selector: {app: app-\(i)}, \(kcdSpec)}

        """
    }
    return out
  }
}
