import KcdCore
import KcdHTTP
import KcdJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import KubeSim

/// The objects every real cluster has and that installers and delegated-auth components rely on.
@Suite struct ClusterObjectsTests {
  /// kube-controller-manager's serviceaccounts controller (`pkg/controller/serviceaccount`) and
  /// root-ca-cert-publisher (`pkg/controller/certificates/rootcacertpublisher`) give every active
  /// namespace a `default` ServiceAccount and a `kube-root-ca.crt` ConfigMap, and recreate them.
  @Test("every namespace gets the default ServiceAccount and kube-root-ca.crt, recreated when deleted")
  func namespaceObjects() {
    let h = SimHarness(namespaceObjects: true)
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
      #expect(h.object(BuiltinResources.serviceAccounts, "default", namespace: ns) != nil, "\(ns)")
      #expect(h.object(BuiltinResources.configMaps, "kube-root-ca.crt", namespace: ns)?["data"]["ca.crt"] == "", "\(ns)")
    }
    #expect(h.post("/api/v1/namespaces", ["metadata": ["name": "team"]]).status == 201)
    #expect(h.advance(until: { h.object(BuiltinResources.serviceAccounts, "default", namespace: "team") != nil }, limit: 5))
    #expect(h.object(BuiltinResources.configMaps, "kube-root-ca.crt", namespace: "team") != nil)

    #expect(h.delete("/api/v1/namespaces/team/configmaps/kube-root-ca.crt").status == 200)
    #expect(h.delete("/api/v1/namespaces/team/serviceaccounts/default").status == 200)
    #expect(h.advance(until: {
      h.object(BuiltinResources.configMaps, "kube-root-ca.crt", namespace: "team") != nil
        && h.object(BuiltinResources.serviceAccounts, "default", namespace: "team") != nil
    }, limit: 5))
  }

  @Test("a terminating namespace does not get them back")
  func terminatingNamespace() {
    let h = SimHarness(namespaceObjects: true)
    #expect(h.post("/api/v1/namespaces", ["metadata": ["name": "doomed"]]).status == 201)
    #expect(h.advance(until: { h.object(BuiltinResources.serviceAccounts, "default", namespace: "doomed") != nil }, limit: 5))
    #expect(h.delete("/api/v1/namespaces/doomed").status == 200)
    #expect(h.advance(until: { h.get("/api/v1/namespaces/doomed").status == 404 }, limit: 10))
    #expect(h.objects(BuiltinResources.configMaps, namespace: "doomed").isEmpty)
  }

  /// kube-apiserver writes `kube-system/extension-apiserver-authentication` at start
  /// (`pkg/controlplane/controller/clusterauthenticationtrust`); the CA bundles are the cluster's.
  @Test("kube-system/extension-apiserver-authentication and kube-root-ca.crt carry the cluster CA")
  func authenticationConfigMap() throws {
    let sim = try KubeSim(options: KubeSim.Options(token: "objects-token"))
    defer { sim.stop() }
    let ca = try #require(sim.certificateAuthority).certificateChainPEM
    let auth = try #require(sim.store.get(BuiltinResources.configMaps, namespace: "kube-system", name: "extension-apiserver-authentication"))
    #expect(auth["data"]["client-ca-file"] == .string(ca) && auth["data"]["requestheader-client-ca-file"] == .string(ca))
    #expect(auth["data"]["requestheader-username-headers"] == #"["X-Remote-User"]"#)
    let deadline = monotonicSeconds() + 10
    while monotonicSeconds() < deadline && sim.store.get(BuiltinResources.configMaps, namespace: "default", name: "kube-root-ca.crt") == nil { usleep(20_000) }
    let root = try #require(sim.store.get(BuiltinResources.configMaps, namespace: "default", name: "kube-root-ca.crt"))
    #expect(root["data"]["ca.crt"] == .string(ca))
    #expect(ca.hasPrefix("-----BEGIN CERTIFICATE-----"))
  }
}
