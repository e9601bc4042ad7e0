@testable import KcdController
import KcdCore
import KcdJSON
import KcdKube
@testable import KcdServer
import KcdTestSupport
import KubeSim
import Testing

/// Registry credentials come from a KCD's own namespace only: a tenant following the same
/// private repository as another never borrows the other's pull secret.
@Suite(.timeLimit(.minutes(2)))
struct PullSecretIsolationTests {
  static let host = "registry.private:5000"

  @Test("a pull secret of namespace a is used for a's KCDs and never for b's")
  func namespaceScoped() throws {
    let (sim, client) = try HooksHandlerTests.cluster()
    defer { sim.stop() }
    for ns in ["a", "b"] {
      _ = try client.create(.namespaces, namespace: nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
      _ = try client.create(.deployments, namespace: ns, [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "app", "labels": ["app": "app"]],
        "spec": ["selector": ["matchLabels": ["app": "app"]],
                 "template": ["metadata": ["labels": ["app": "app"]],
                              "spec": ["imagePullSecrets": [["name": "registry-pull"]],
                                       "containers": [["name": "app", "image": .string("\(Self.host)/team/app:1")]]]]],
      ])
      _ = try client.create(.kcds, namespace: ns, [
        "apiVersion": "kcd.dev/v1", "kind": "KCD", "metadata": ["name": "app"],
        "spec": ["imageRepo": .string("\(Self.host)/team/app"), "tag": "prod", "selector": ["app": "app"]],
      ])
    }
    // Only namespace a holds the secret the two Deployments name.
    let auth = Base64.encode(Array("tenant-a:secret-a".utf8))
    let config = Base64.encode(Array(#"{"auths":{"\#(Self.host)":{"auth":"\#(auth)"}}}"#.utf8))
    _ = try client.create(.secrets, namespace: "a", ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "registry-pull"],
                                                    "type": "kubernetes.io/dockerconfigjson", "data": [".dockerconfigjson": .string(config)]])
    let controller = Controller(client: client, metrics: MetricsRegistry(), log: Logger(format: .text, sink: { _ in }))
    controller.start()
    defer { controller.stop() }
    #expect(eventually(timeout: 10) { controller.hasSynced && controller.kcds.count == 2 + 1 })
    let credentials = PullSecretCredentials(client: client, controller: controller, log: Logger(format: .text, sink: { _ in }))
    let a = credentials.credentials(for: "\(Self.host)/team/app", namespace: "a")
    let b = credentials.credentials(for: "\(Self.host)/team/app", namespace: "b")
    #expect(a.byHost.keys.contains(Self.host), "\(a.byHost.keys)")
    #expect(b.isEmpty, "namespace b has no such secret of its own: \(b.byHost.keys)")
  }
}
