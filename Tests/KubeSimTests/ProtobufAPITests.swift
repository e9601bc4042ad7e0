import KcdHTTP
import KcdJSON
import Testing

@testable import KubeSim

/// Content negotiation in process: protobuf bodies in, protobuf answers out when asked first,
/// JSON otherwise; the apiserver's errors for what it cannot read.
@Suite struct ProtobufAPITests {
  static let configMaps = "/api/v1/namespaces/default/configmaps"
  static let deployments = "/apis/apps/v1/namespaces/default/deployments"

  func text(_ response: HTTPResponse) -> String { String(decoding: response.bodyBytes, as: UTF8.self) }

  @Test("create and update with protobuf bodies; answers in protobuf; the store holds JSON")
  func createAndUpdate() throws {
    let sim = SimHarness()
    let created = ProtobufSupport.request(sim, "POST", Self.configMaps, body: ProtobufSupport.body(Make.configMap("settings", labels: ["app": "web"])))
    #expect(created.status == 201 && created.headers["Content-Type"] == ProtobufSupport.mediaType, "\(text(created))")
    var answer = try ProtobufSupport.json(created.bodyBytes)
    #expect(answer == sim.object(BuiltinResources.configMaps, "settings"))
    #expect(answer["data"] == ["mode": "one"] && answer["metadata"]["labels"] == ["app": "web"])

    answer["data"] = ["mode": "two"]
    let updated = ProtobufSupport.request(sim, "PUT", Self.configMaps + "/settings", body: ProtobufSupport.body(answer))
    #expect(updated.status == 200, "\(text(updated))")
    #expect(try ProtobufSupport.json(updated.bodyBytes)["data"] == ["mode": "two"])
  }

  @Test("Accept decides: protobuf first gets protobuf; JSON first, JSON only or a Table gets JSON")
  func negotiation() throws {
    let sim = SimHarness()
    #expect(sim.post(Self.deployments, Make.deployment("web")).status == 201)
    let asked = [(ProtobufSupport.clientGoAccept, ProtobufSupport.mediaType), (ProtobufSupport.mediaType, ProtobufSupport.mediaType),
                 ("application/json, application/vnd.kubernetes.protobuf", "application/json"), ("application/json", "application/json"),
                 ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json", "application/json")]
    for (accept, answered) in asked {
      let response = ProtobufSupport.request(sim, "GET", Self.deployments + "/web", accept: accept)
      #expect(response.status == 200 && response.headers["Content-Type"] == answered, "\(accept)")
    }
    let protobuf = try ProtobufSupport.json(ProtobufSupport.request(sim, "GET", Self.deployments + "/web").bodyBytes)
    #expect(protobuf == sim.get(Self.deployments + "/web").json)
  }

  @Test("lists are XList messages with ListMeta, paging included")
  func lists() throws {
    let sim = SimHarness()
    for name in ["a", "b", "c"] { #expect(sim.post(Self.deployments, Make.deployment(name)).status == 201) }
    let response = ProtobufSupport.request(sim, "GET", Self.deployments + "?limit=2")
    #expect(response.headers["Content-Type"] == ProtobufSupport.mediaType)
    let list = try ProtobufSupport.json(response.bodyBytes)
    #expect(list["kind"] == "DeploymentList" && list["items"].arrayValue?.count == 2)
    #expect(list["items"][0]["metadata"]["name"] == "a" && list["items"][0]["spec"]["replicas"] == 3)
    #expect(list["metadata"]["remainingItemCount"] == 1 && list["metadata"]["continue"].stringValue?.isEmpty == false)
    #expect(list == sim.get(Self.deployments + "?limit=2").json)
  }

  @Test("scale and delete answers: Scale and Status messages")
  func scaleAndDelete() throws {
    let sim = SimHarness()
    #expect(sim.post(Self.deployments, Make.deployment("web")).status == 201)
    var scale = try ProtobufSupport.json(ProtobufSupport.request(sim, "GET", Self.deployments + "/web/scale").bodyBytes)
    #expect(scale["kind"] == "Scale" && scale["spec"]["replicas"] == 3)
    scale["spec"]["replicas"] = 0
    let scaled = ProtobufSupport.request(sim, "PUT", Self.deployments + "/web/scale", body: ProtobufSupport.body(scale))
    #expect(scaled.status == 200, "\(text(scaled))")
    #expect(try ProtobufSupport.json(scaled.bodyBytes)["spec"]["replicas"] == 0)
    #expect(sim.object(BuiltinResources.deployments, "web")?["spec"]["replicas"] == 0)

    let deleted = ProtobufSupport.request(sim, "DELETE", Self.deployments + "/web")
    let status = try ProtobufSupport.json(deleted.bodyBytes)
    #expect(status["kind"] == "Status" && status["status"] == "Success" && status["details"]["name"] == "web")
  }

  @Test("custom resources: a protobuf body is 415, answers stay JSON")
  func customResources() throws {
    let sim = SimHarness()
    #expect(sim.post(Make.crdPath, Make.crd()).status == 201)
    let path = "/apis/example.com/v1/namespaces/default/widgets"
    let refused = ProtobufSupport.request(sim, "POST", path, body: KubernetesEnvelope(apiVersion: "example.com/v1", kind: "Widget", raw: []).encoded)
    #expect(refused.status == 415)
    #expect(try JSON.parse(refused.bodyBytes)["message"]
              == "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")
    #expect(sim.post(path, Make.customResource("blue")).status == 201)
    #expect(ProtobufSupport.request(sim, "GET", path + "/blue").headers["Content-Type"] == "application/json")
  }

  @Test("malformed bodies get the apiserver's 400 messages, as JSON Status")
  func malformed() throws {
    let sim = SimHarness()
    var raw = ProtoJSONEncoder.encode(Make.deployment("web"), as: .deployment)
    raw.removeLast(3)
    let inner = KubernetesEnvelope(apiVersion: "apps/v1", kind: "Deployment", raw: raw).encoded
    let truncated = ProtobufSupport.request(sim, "POST", Self.deployments, body: inner)
    #expect(truncated.status == 400 && truncated.headers["Content-Type"] == "application/json")
    #expect(try JSON.parse(truncated.bodyBytes)["message"] == "Deployment in version \"v1\" cannot be handled as a Deployment: unexpected EOF")

    let outer = ProtobufSupport.request(sim, "POST", Self.deployments, body: Array(ProtobufSupport.body(Make.deployment("web")).dropLast(3)))
    let message = try JSON.parse(outer.bodyBytes)["message"].stringValue ?? ""
    #expect(message.hasPrefix("the object provided is unrecognized (must be of type Deployment): unexpected EOF (6b3873000a"), "\(message)")

    let json = ProtobufSupport.request(sim, "POST", Self.configMaps, body: Array(#"{"kind":"ConfigMap"}"#.utf8))
    #expect(try JSON.parse(json.bodyBytes)["message"] == """
      the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, \
      expected prefix [107 56 115 0] ({"kind":"ConfigMap"})
      """)

    let secret = ProtobufSupport.request(sim, "POST", Self.configMaps, body: ProtobufSupport.body(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"]]))
    #expect(try JSON.parse(secret.bodyBytes)["message"] == "the kind of the provided object (Secret) does not match the kind of the resource (ConfigMap)")

    let node = ProtobufSupport.request(sim, "POST", "/api/v1/nodes", body: KubernetesEnvelope(apiVersion: "v1", kind: "Node", raw: []).encoded)
    #expect(node.status == 415 && text(node).contains("KubeSim has no protobuf schema for v1 Node"))
  }
}
