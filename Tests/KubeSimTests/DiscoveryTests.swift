import KcdHTTP
import KcdJSON
import Testing

@testable import KubeSim

/// Discovery documents kubectl reads before anything else, the openapi answers it tolerates,
/// 404 for unknown paths and bearer-token authentication.
@Suite struct DiscoveryTests {
  static func resource(_ list: JSON, _ name: String) -> JSON {
    list["resources"].arrayValue?.first { $0["name"] == .string(name) } ?? .null
  }

  static let allVerbs: JSON = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

  @Test("/version is honest about the server version and needs no token", arguments: ["30", "20"])
  func version(minor: String) {
    let h = SimHarness(serverMinorVersion: minor)
    let r = h.call("GET", "/version?timeout=32s", token: nil)
    #expect(r.status == 200 && r.headers["Content-Type"] == "application/json")
    #expect(r["major"] == "1" && r["minor"] == .string(minor) && r["gitVersion"] == .string("v1.\(minor).0"))
    #expect(r["platform"] == "linux/amd64")
  }

  @Test("/api and /apis list the legacy versions and every served group with its preferred version")
  func rootDocuments() throws {
    let h = SimHarness()
    let api = h.get("/api")
    #expect(api["kind"] == "APIVersions" && api["versions"] == ["v1"])
    let apis = h.get("/apis")
    #expect(apis["kind"] == "APIGroupList" && apis["apiVersion"] == "v1")
    let groups = try #require(apis["groups"].arrayValue)
    #expect(groups.compactMap { $0["name"].stringValue } == [
      "apiextensions.k8s.io", "apps", "authentication.k8s.io", "authorization.k8s.io", "batch", "coordination.k8s.io", "events.k8s.io",
      "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
    ])
    let apps = try #require(groups.first { $0["name"] == "apps" })
    #expect(apps["preferredVersion"] == ["groupVersion": "apps/v1", "version": "v1"])
    #expect(apps["versions"] == [["groupVersion": "apps/v1", "version": "v1"]])
    let group = h.get("/apis/apps")
    #expect(group["kind"] == "APIGroup" && group["name"] == "apps")
    // Every group listed must answer its resource list, or kubectl prints discovery errors.
    for g in groups {
      let gv = g["preferredVersion"]["groupVersion"].stringValue ?? ""
      #expect(h.get("/apis/" + gv).status == 200, "\(gv)")
    }
  }

  @Test("resource lists carry verbs, shortNames, categories and the subresources")
  func resourceLists() {
    let h = SimHarness()
    let apps = h.get("/apis/apps/v1")
    #expect(apps["kind"] == "APIResourceList" && apps["groupVersion"] == "apps/v1")
    #expect(Self.resource(apps.json, "deployments") == [
      "name": "deployments", "singularName": "deployment", "namespaced": true, "kind": "Deployment",
      "verbs": Self.allVerbs, "shortNames": ["deploy"], "categories": ["all"],
    ])
    #expect(Self.resource(apps.json, "deployments/status") == [
      "name": "deployments/status", "singularName": "", "namespaced": true, "kind": "Deployment", "verbs": ["get", "patch", "update"],
    ])
    #expect(Self.resource(apps.json, "deployments/scale") == [
      "name": "deployments/scale", "singularName": "", "namespaced": true, "group": "autoscaling", "version": "v1",
      "kind": "Scale", "verbs": ["get", "patch", "update"],
    ])
    #expect(Self.resource(apps.json, "controllerrevisions")["kind"] == "ControllerRevision")
    #expect(Self.resource(apps.json, "daemonsets/scale").isNull)

    let core = h.get("/api/v1")
    #expect(core["groupVersion"] == "v1")
    #expect(Self.resource(core.json, "namespaces")["namespaced"] == false && Self.resource(core.json, "namespaces")["shortNames"] == ["ns"])
    #expect(Self.resource(core.json, "pods")["shortNames"] == ["po"] && Self.resource(core.json, "pods/status")["kind"] == "Pod")
    #expect(Self.resource(core.json, "configmaps")["shortNames"] == ["cm"])
    let reviews = h.get("/apis/authentication.k8s.io/v1")
    #expect(Self.resource(reviews.json, "tokenreviews")["verbs"] == ["create"])
    #expect(h.get("/apis/batch/v1beta1").status == 404, "v1beta1 CronJobs only when asked for")
  }

  @Test("a new CRD is in discovery at once and leaves it, with its objects, when deleted")
  func crdDiscovery() {
    let h = SimHarness()
    #expect(h.get("/apis/example.com/v1").status == 404)
    let created = h.post(Make.crdPath, Make.crd())
    #expect(created.status == 201)
    #expect(condition(created.json, "Established")["status"] == "True" && condition(created.json, "NamesAccepted")["status"] == "True")
    #expect(h.get("/apis")["groups"].arrayValue?.contains { $0["name"] == "example.com" } == true)
    #expect(h.get("/apis/example.com")["preferredVersion"]["groupVersion"] == "example.com/v1")
    let list = h.get("/apis/example.com/v1")
    #expect(Self.resource(list.json, "widgets") == [
      "name": "widgets", "singularName": "widget", "namespaced": true, "kind": "Widget", "verbs": Self.allVerbs,
      "shortNames": ["wd"], "categories": ["all"],
    ])
    #expect(Self.resource(list.json, "widgets/status")["verbs"] == ["get", "patch", "update"])
    #expect(h.post("/apis/example.com/v1/namespaces/default/widgets", Make.customResource("blue")).status == 201)

    #expect(h.delete(Make.crdPath + "/widgets.example.com").status == 200)
    #expect(h.get("/apis/example.com/v1").status == 404)
    #expect(h.get("/apis/example.com").status == 404)
    #expect(h.get("/apis")["groups"].arrayValue?.contains { $0["name"] == "example.com" } == false)
    #expect(h.get("/apis/example.com/v1/namespaces/default/widgets/blue").status == 404)
    // Recreated, the type starts empty: the old objects went with the CRD.
    #expect(h.post(Make.crdPath, Make.crd()).status == 201)
    #expect(h.get("/apis/example.com/v1/namespaces/default/widgets")["items"] == [])
  }

  @Test("/openapi/v2 is an empty 200, /openapi/v3 and swagger are 404")
  func openAPI() {
    let h = SimHarness()
    let v2 = h.get("/openapi/v2")
    #expect(v2.status == 200 && v2.bytes.isEmpty && v2.headers["Content-Type"] == "application/octet-stream")
    for path in ["/openapi/v3", "/swagger-2.0.0.pb-v1"] {
      let r = h.get(path)
      #expect(r.status == 404 && r["kind"] == "Status" && r["reason"] == "NotFound", "\(path)")
    }
  }

  @Test("unknown paths are a 404 Status", arguments: [
    "/apis/nope.example.com/v1/things", "/apis/nope.example.com", "/api/v2", "/apis/apps/v1/namespaces/default/frobs",
    "/api/v1/namespaces/default/nodes", "/nothing/here", "/apis/apps/v1/namespaces/default/deployments/web/rollback",
  ])
  func unknownPaths(path: String) {
    let h = SimHarness()
    _ = h.post("/apis/apps/v1/namespaces/default/deployments", Make.deployment("web"))
    let r = h.get(path)
    #expect(r.status == 404)
    #expect(r.json == ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                       "message": "the server could not find the requested resource", "reason": "NotFound", "details": [:], "code": 404])
  }

  @Test("missing or wrong credentials are 401; anonymous mode accepts only the missing ones")
  func authentication() {
    let h = SimHarness()
    let unauthorized: JSON = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                              "message": "Unauthorized", "reason": "Unauthorized", "code": 401]
    #expect(h.call("GET", "/api/v1/namespaces", token: nil).json == unauthorized)
    #expect(h.call("GET", "/api/v1/namespaces", token: nil).status == 401)
    #expect(h.call("GET", "/api/v1/namespaces", token: "wrong").status == 401)
    #expect(h.call("GET", "/apis", token: "wrong").status == 401, "discovery is guarded too")
    let basic = h.api.handle(HTTPRequest(method: "GET", target: "/api/v1/namespaces", headers: ["Host": "k", "Authorization": "Basic dTpw"]))
    #expect(basic.status == 401)
    #expect(h.call("GET", "/healthz", token: nil).status == 200)

    h.api.allowAnonymous = true
    #expect(h.call("GET", "/api/v1/namespaces", token: nil).status == 200)
    #expect(h.call("GET", "/api/v1/namespaces", token: "wrong").status == 401)

    h.api.setTokens(["rotated"])
    #expect(h.call("GET", "/api/v1/namespaces", token: SimHarness.token).status == 401)
    #expect(h.call("GET", "/api/v1/namespaces", token: "rotated").status == 200)
  }
}
