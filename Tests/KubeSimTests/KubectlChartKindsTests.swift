import KcdJSON
import KcdTestSupport
import Testing

/// The kinds the Helm chart installs, created with kubectl's own generators (`kubectl create
/// role …`) by every kubectl, against a sim emulating that kubectl's own version: kubectl 1.20
/// creates PodDisruptionBudgets as policy/v1beta1, which only servers before 1.25 have, and it
/// talks to a 1.19 server so that selfLink shows. kubectl 1.32 and later send protobuf bodies.
@Suite(.timeLimit(.minutes(3)))
struct KubectlChartKindsTests {
  static func serverVersion(_ kubectl: String) -> String {
    kubectl == Kubectl.debian120 ? "1.19" : "1." + (kubectl.split(separator: ".").last.map(String.init) ?? "30")
  }

  static let networkPolicy = """
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: web, namespace: x}
    spec:
      podSelector: {matchLabels: {app: web}}
      egress: [{ports: [{port: 53}]}]
    """

  static let ingressWithoutPathType = """
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: loose, namespace: x}
    spec:
      rules: [{http: {paths: [{path: /, backend: {service: {name: web, port: {number: 80}}}}]}}]
    """

  @Test("create role, clusterrole, rolebinding, clusterrolebinding, ingress and pdb; apply a NetworkPolicy", arguments: Kubectl.all)
  func createChartKinds(kubectl: String) throws {
    let version = Self.serverVersion(kubectl)
    let sim = try SimProcess(extraArguments: ["--server-version", version])
    func k(_ args: String..., input: String? = nil) throws -> ProcessResult { try sim.kubectl(kubectl, args, input: input) }
    func json(_ args: String...) throws -> JSON {
      let r = try sim.kubectl(kubectl, ["get"] + args + ["-n", "x", "-o", "json"])
      #expect(r.status == 0, "\(r)")
      return try JSON.parse(r.stdout)
    }

    var r = try k("create", "namespace", "x")
    #expect(r.status == 0, "\(r)")
    let creates: [([String], String)] = [
      (["role", "deployer", "--verb=get,patch", "--resource=deployments.apps"], "role.rbac.authorization.k8s.io/deployer created"),
      (["clusterrole", "watcher", "--verb=get,list,watch", "--resource=pods"], "clusterrole.rbac.authorization.k8s.io/watcher created"),
      (["rolebinding", "kcd", "--role=deployer", "--serviceaccount=x:kcd"], "rolebinding.rbac.authorization.k8s.io/kcd created"),
      (["clusterrolebinding", "kcd", "--clusterrole=watcher", "--serviceaccount=x:kcd"], "clusterrolebinding.rbac.authorization.k8s.io/kcd created"),
      (["ingress", "web", "--rule=shop.example/=web:80"], "ingress.networking.k8s.io/web created"),
      (["poddisruptionbudget", "web", "--selector=app=web", "--min-available=1"], "poddisruptionbudget.policy/web created"),
    ]
    for (args, expected) in creates {
      r = try sim.kubectl(kubectl, ["create"] + args + ["-n", "x"])
      #expect(r.status == 0 && r.stdout.contains(expected), "\(args) \(r)")
    }
    r = try k("apply", "-f", "-", input: Self.networkPolicy)
    #expect(r.status == 0 && r.stdout.contains("networkpolicy.networking.k8s.io/web created"), "\(r)")

    let role = try json("role", "deployer")
    #expect(role["rules"] == [["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "patch"]]])
    let binding = try json("rolebinding", "kcd")
    #expect(binding["roleRef"] == ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deployer"])
    #expect(binding["subjects"] == [["kind": "ServiceAccount", "name": "kcd", "namespace": "x"]])
    #expect(try json("clusterrolebinding", "kcd")["roleRef"]["name"] == "watcher")
    let path = try json("ingress", "web")["spec"]["rules"][0]["http"]["paths"][0]
    #expect(path["pathType"] == "Exact" && path["path"] == "/", "\(path)")
    #expect(path["backend"]["service"] == ["name": "web", "port": ["number": 80]])
    let pdb = try json("pdb", "web")
    #expect(pdb["spec"]["minAvailable"] == 1 && pdb["spec"]["selector"]["matchLabels"] == ["app": "web"], "\(pdb)")
    #expect(try json("netpol", "web")["spec"]["policyTypes"] == ["Ingress", "Egress"])
    let selfLink = role["metadata"]["selfLink"]
    #expect(kubectl == Kubectl.debian120 ? selfLink == "/apis/rbac.authorization.k8s.io/v1/namespaces/x/roles/deployer" : selfLink.isNull)

    // The server's validation reaches kubectl with the real message.
    r = try k("apply", "--validate=false", "-f", "-", input: Self.ingressWithoutPathType)
    #expect(r.status != 0 && r.stderr.contains("spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"), "\(r)")
    if kubectl.hasSuffix("kubectl.1.32") || kubectl.hasSuffix("kubectl.1.33") {
      // `create` sends protobuf; `apply` (the NetworkPolicy) stays JSON.
      let creates = try sim.requestLog().filter { $0["method"] == "POST" && $0["code"] == 201 && $0["path"].stringValue?.hasSuffix("networkpolicies") == false }
      #expect(creates.count == 7 && creates.allSatisfy { $0["contentType"] == "application/vnd.kubernetes.protobuf" }, "\(creates)")
    }

    r = try k("get", "role,rolebinding,ingress,pdb,netpol", "-n", "x")
    #expect(r.status == 0 && r.stdout.contains("deployer"), "\(r)")
    r = try k("delete", "namespace", "x", "--wait=true")
    #expect(r.status == 0, "\(r)")
    r = try k("get", "role", "deployer", "-n", "x")
    #expect(r.status != 0 && r.stderr.contains("NotFound"), "\(r)")
  }
}
