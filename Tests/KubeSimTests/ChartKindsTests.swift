import KcdJSON
import Testing

@testable import KubeSim

/// The kinds a Helm chart installs beside its Deployment — RBAC, Ingress, NetworkPolicy,
/// PodDisruptionBudget — with the defaults and validation of the real registry strategies
/// (k8s.io/kubernetes pkg/apis/{rbac,networking,policy}/v1/defaults.go and …/validation).
@Suite struct ChartKindsTests {
  @Test("discovery lists rbac.authorization.k8s.io/v1, networking.k8s.io/v1 and policy/v1")
  func discovery() {
    let h = SimHarness()
    let rbac = h.get("/apis/rbac.authorization.k8s.io/v1")
    #expect(rbac.status == 200)
    let names = rbac["resources"].arrayValue?.compactMap { $0["name"].stringValue } ?? []
    #expect(Set(names) == ["roles", "clusterroles", "rolebindings", "clusterrolebindings"])
    #expect(DiscoveryTests.resource(rbac.json, "clusterroles")["namespaced"] == false)
    let net = h.get("/apis/networking.k8s.io/v1")
    #expect(DiscoveryTests.resource(net.json, "ingresses")["shortNames"] == ["ing"])
    #expect(DiscoveryTests.resource(net.json, "networkpolicies")["shortNames"] == ["netpol"])
    #expect(DiscoveryTests.resource(h.get("/apis/policy/v1").json, "poddisruptionbudgets")["shortNames"] == ["pdb"])
  }

  @Test("a binding's roleRef and subjects get their API groups by default; roleRef cannot change")
  func bindings() {
    let h = SimHarness()
    var r = h.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", [
      "metadata": ["name": "readers"], "roleRef": ["kind": "Role", "name": "reader"],
      "subjects": [["kind": "User", "name": "bob"], ["kind": "ServiceAccount", "name": "kcd"]],
    ])
    #expect(r.status == 201, "\(r.json)")
    #expect(r["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io")
    #expect(r["subjects"][0]["apiGroup"] == "rbac.authorization.k8s.io" && r["subjects"][1]["apiGroup"].isNull)
    #expect(r["metadata"]["generation"].isNull, "RBAC strategies keep no generation")
    r = h.patch("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/readers", ["roleRef": ["name": "writer"]])
    #expect(r.status == 422 && r["message"].stringValue?.contains("roleRef: Invalid value") == true, "\(r.json)")
    #expect(r["message"].stringValue?.hasSuffix("cannot change roleRef") == true)
    r = h.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", [
      "metadata": ["name": "x"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"],
      "subjects": [["kind": "ServiceAccount", "name": "kcd"]],
    ])
    #expect(r.status == 422, "\(r.json)")
    #expect(r["message"] == #"ClusterRoleBinding.rbac.authorization.k8s.io "x" is invalid: [roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole", subjects[0].namespace: Required value]"#)
  }

  @Test("a rule needs verbs, and a resource rule API groups and resources")
  func roleRules() {
    let h = SimHarness()
    let r = h.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", [
      "metadata": ["name": "bad"], "rules": [["resources": ["pods"]]],
    ])
    #expect(r.status == 422)
    #expect(r["details"]["causes"].arrayValue?.compactMap { $0["field"].stringValue } == ["rules[0].verbs", "rules[0].apiGroups"])
    let ok = h.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", [
      "metadata": ["name": "metrics"], "rules": [["verbs": ["get"], "nonResourceURLs": ["/metrics"]]],
    ])
    #expect(ok.status == 201, "\(ok.json)")
  }

  @Test("SubjectAccessReview follows Roles and bindings as the RBAC authorizer does")
  func accessFromRBAC() {
    let h = SimHarness()
    #expect(h.post("/api/v1/namespaces", ["metadata": ["name": "shop"]]).status == 201)
    #expect(h.post("/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles", [
      "metadata": ["name": "deployer"], "rules": [["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "patch"]]],
    ]).status == 201)
    #expect(h.post("/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings", [
      "metadata": ["name": "kcd"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deployer"],
      "subjects": [["kind": "ServiceAccount", "name": "kcd"]],
    ]).status == 201)
    func review(_ verb: String, _ namespace: String, user: String = "system:serviceaccount:shop:kcd") -> JSON {
      h.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", ["spec": [
        "user": .string(user), "resourceAttributes": ["verb": .string(verb), "group": "apps", "resource": "deployments", "namespace": .string(namespace)],
      ]]).json["status"]
    }
    let allowed = review("patch", "shop")
    #expect(allowed["allowed"] == true)
    #expect(allowed["reason"] == #"RBAC: allowed by RoleBinding "kcd/shop" of Role "deployer" to ServiceAccount "kcd/shop""#)
    #expect(review("delete", "shop")["allowed"] == false)
    #expect(review("patch", "other")["allowed"] == false, "a RoleBinding grants only in its namespace")
    #expect(review("patch", "shop", user: "system:serviceaccount:other:kcd")["allowed"] == false)
  }

  @Test("NetworkPolicy policyTypes default from the rules present; ports default to TCP")
  func networkPolicyDefaults() {
    let h = SimHarness()
    let path = "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies"
    var r = h.post(path, ["metadata": ["name": "deny"], "spec": [:]])
    #expect(r.status == 201 && r["spec"]["policyTypes"] == ["Ingress"] && r["spec"]["podSelector"] == [:], "\(r.json)")
    #expect(r["metadata"]["generation"] == 1)
    r = h.post(path, ["metadata": ["name": "out"], "spec": ["egress": [["ports": [["port": 53]]]]]])
    #expect(r["spec"]["policyTypes"] == ["Ingress", "Egress"])
    #expect(r["spec"]["egress"][0]["ports"][0] == ["port": 53, "protocol": "TCP"])
    r = h.post(path, ["metadata": ["name": "only-out"], "spec": ["policyTypes": ["Egress"]]])
    #expect(r["spec"]["policyTypes"] == ["Egress"], "an explicit list is kept")
    r = h.post(path, ["metadata": ["name": "bad"], "spec": ["policyTypes": ["Sideways"]]])
    #expect(r.status == 422 && r["details"]["causes"][0]["field"] == "spec.policyTypes[0]")
  }

  @Test("Ingress paths need a pathType in networking.k8s.io/v1; Exact and Prefix paths are absolute")
  func ingressValidation() {
    let h = SimHarness()
    let path = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
    func ingress(_ name: String, _ httpPath: JSON) -> JSON {
      ["metadata": ["name": .string(name)], "spec": ["rules": [["host": "shop.example", "http": ["paths": [httpPath]]]]]]
    }
    let backend: JSON = ["service": ["name": "web", "port": ["number": 80]]]
    var r = h.post(path, ingress("missing", ["path": "/", "backend": backend]))
    #expect(r.status == 422)
    #expect(r["message"] == #"Ingress.networking.k8s.io "missing" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"#)
    r = h.post(path, ingress("relative", ["path": "shop", "pathType": "Prefix", "backend": backend]))
    #expect(r.status == 422 && r["details"]["causes"][0]["message"] == #"Invalid value: "shop": must be an absolute path"#)
    r = h.post(path, ingress("noport", ["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "web"]]]))
    #expect(r.status == 422 && r["details"]["causes"][0]["field"] == "spec.rules[0].http.paths[0].backend.service.port")
    r = h.post(path, ingress("web", ["path": "/", "pathType": "Exact", "backend": backend]))
    #expect(r.status == 201 && r["metadata"]["generation"] == 1, "\(r.json)")
    r = h.post(path, ["metadata": ["name": "empty"], "spec": [:]])
    #expect(r.status == 422 && r["details"]["causes"][0]["field"] == "spec")
  }

  @Test("a PodDisruptionBudget sets minAvailable or maxUnavailable, not both, each a count or a percentage up to 100%")
  func podDisruptionBudget() {
    let h = SimHarness()
    let path = "/apis/policy/v1/namespaces/default/poddisruptionbudgets"
    let selector: JSON = ["matchLabels": ["app": "web"]]
    var r = h.post(path, ["metadata": ["name": "both"], "spec": ["minAvailable": 1, "maxUnavailable": 1, "selector": selector]])
    #expect(r.status == 422 && r["details"]["causes"][0]["field"] == "spec", "\(r.json)")
    #expect(r["details"]["causes"][0]["message"].stringValue?.hasSuffix("minAvailable and maxUnavailable cannot be both set") == true)
    r = h.post(path, ["metadata": ["name": "big"], "spec": ["maxUnavailable": "120%", "selector": selector]])
    #expect(r.status == 422 && r["details"]["causes"][0]["message"] == #"Invalid value: "120%": must not be greater than 100%"#)
    r = h.post(path, ["metadata": ["name": "neg"], "spec": ["minAvailable": -1, "selector": selector]])
    #expect(r.status == 422 && r["details"]["causes"][0]["message"] == "Invalid value: -1: must be greater than or equal to 0")
    r = h.post(path, ["metadata": ["name": "web"], "spec": ["minAvailable": 0, "selector": selector]])
    #expect(r.status == 201 && r["spec"]["minAvailable"] == 0, "\(r.json)")
  }
}
