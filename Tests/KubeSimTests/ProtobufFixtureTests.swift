import KcdHTTP
import KcdJSON
import Testing

@testable import KubeSim

/// Bodies captured from real kubectl 1.33 and 1.32 (`kubectl create …` through a recording proxy,
/// raw bytes in `Fixtures/protobuf/`): they decode to the JSON kubectl would have sent, and
/// KubeSim creates the objects from them.
@Suite struct ProtobufFixtureTests {
  static let versions = ["1.33", "1.32"]

  /// `kubectl create namespace shop133`
  @Test("namespace", arguments: versions)
  func namespace(version: String) throws {
    let ns = "shop" + version.replacingDots
    let json = try ProtobufSupport.json(ProtobufSupport.fixture("namespace-kubectl-\(version).pb"))
    #expect(json == ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)], "spec": [:], "status": [:]])
  }

  /// `kubectl create configmap settings --from-literal=mode=one --from-literal=level=3 --from-file=blob.bin`
  /// (blob.bin is `00 01 02 fe ff " binary"`: not UTF-8, so kubectl puts it in binaryData).
  @Test("configmap", arguments: versions)
  func configMap(version: String) throws {
    let json = try ProtobufSupport.json(ProtobufSupport.fixture("configmap-kubectl-\(version).pb"))
    #expect(json == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings", "namespace": .string("shop" + version.replacingDots)],
                     "data": ["mode": "one", "level": "3"], "binaryData": ["blob.bin": "AAEC/v8gYmluYXJ5"]])
  }

  /// `kubectl create secret generic creds --from-literal=password=s3cr3t --from-literal=user=admin`
  @Test("secret", arguments: versions)
  func secret(version: String) throws {
    let json = try ProtobufSupport.json(ProtobufSupport.fixture("secret-kubectl-\(version).pb"))
    #expect(json == ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds", "namespace": .string("shop" + version.replacingDots)],
                     "data": ["password": "czNjcjN0", "user": "YWRtaW4="]])
  }

  /// `kubectl create deployment web --image=registry.example/web:1.0 --replicas=3 --port=8080`
  @Test("deployment", arguments: versions)
  func deployment(version: String) throws {
    let json = try ProtobufSupport.json(ProtobufSupport.fixture("deployment-kubectl-\(version).pb"))
    let labels: JSON = ["app": "web"]
    #expect(json == [
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": ["name": "web", "namespace": .string("shop" + version.replacingDots), "labels": labels],
      "spec": ["replicas": 3, "selector": ["matchLabels": labels], "strategy": [:],
               "template": ["metadata": ["labels": labels],
                            "spec": ["containers": [["name": "web", "image": "registry.example/web:1.0", "ports": [["containerPort": 8080]], "resources": [:]]]]]],
      "status": [:],
    ])
  }

  /// Every captured body is created through the API, answered 201 in protobuf, and stored with
  /// the fields kubectl meant (apiserver defaults included).
  @Test("KubeSim creates each captured object", arguments: versions)
  func createAll(version: String) throws {
    let sim = SimHarness()
    let ns = "shop" + version.replacingDots
    let paths = [("namespace", "/api/v1/namespaces"), ("configmap", "/api/v1/namespaces/\(ns)/configmaps"),
                 ("secret", "/api/v1/namespaces/\(ns)/secrets"), ("deployment", "/apis/apps/v1/namespaces/\(ns)/deployments"),
                 ("service", "/api/v1/namespaces/\(ns)/services"), ("job", "/apis/batch/v1/namespaces/\(ns)/jobs"),
                 ("cronjob", "/apis/batch/v1/namespaces/\(ns)/cronjobs"), ("serviceaccount", "/api/v1/namespaces/\(ns)/serviceaccounts")]
    for (name, path) in paths {
      let body = ProtobufSupport.fixture("\(name)-kubectl-\(version).pb")
      if body.isEmpty { continue }  // 1.32: the four required kinds only
      let response = ProtobufSupport.request(sim, "POST", path + "?fieldManager=kubectl-create&fieldValidation=Strict", body: body)
      #expect(response.status == 201, "\(name): \(String(decoding: response.bodyBytes, as: UTF8.self))")
      #expect(response.headers["Content-Type"] == ProtobufSupport.mediaType)
      let answer = try ProtobufSupport.json(response.bodyBytes)
      #expect(answer["metadata"]["uid"].stringValue?.count == 36, "\(name)")
    }
    let deployment = try #require(sim.object(BuiltinResources.deployments, "web", namespace: ns))
    #expect(deployment["spec"]["replicas"] == 3)
    #expect(deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == "25%")
    #expect(deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] == "TCP")
    #expect(sim.object(BuiltinResources.secrets, "creds", namespace: ns)?["data"]["password"] == "czNjcjN0")
    if version == "1.33" {
      let service = try #require(sim.object(BuiltinResources.services, "web", namespace: ns))
      #expect(service["spec"]["ports"][0]["port"] == 80 && service["spec"]["ports"][0]["targetPort"] == 8080)
      #expect(sim.object(BuiltinResources.cronJobs, "nightly", namespace: ns)?["spec"]["schedule"] == "0 3 * * *")
      #expect(sim.object(BuiltinResources.jobs, "once", namespace: ns)?["spec"]["template"]["spec"]["containers"][0]["command"]
                == ["sh", "-c", "echo done"])
    }
  }
}

extension String {
  var replacingDots: String { String(filter { $0 != "." }) }
}
