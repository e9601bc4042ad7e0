import KcdJSON

/// Defaults the apiserver fills in for built-in kinds; rollout logic (kubectl's and kcd's)
/// depends on several of them (replicas, strategy, progressDeadlineSeconds, partition).
enum ObjectDefaults {
  static func apply(_ type: ResourceType, _ object: JSON) -> JSON {
    var o = object
    switch type.storageGroupResource {
    case "apps/deployments":
      setIfMissing(&o, ["spec", "replicas"], 1)
      if o["spec"]["strategy"]["type"].isNull { o["spec"]["strategy"]["type"] = "RollingUpdate" }
      if o["spec"]["strategy"]["type"].stringValue == "RollingUpdate" {
        setIfMissing(&o, ["spec", "strategy", "rollingUpdate", "maxSurge"], "25%")
        setIfMissing(&o, ["spec", "strategy", "rollingUpdate", "maxUnavailable"], "25%")
      }
      setIfMissing(&o, ["spec", "revisionHistoryLimit"], 10)
      setIfMissing(&o, ["spec", "progressDeadlineSeconds"], 600)
      o["spec"]["template"] = podTemplate(o["spec"]["template"], restartPolicy: "Always")
    case "apps/statefulsets":
      setIfMissing(&o, ["spec", "replicas"], 1)
      if o["spec"]["updateStrategy"]["type"].isNull { o["spec"]["updateStrategy"]["type"] = "RollingUpdate" }
      if o["spec"]["updateStrategy"]["type"].stringValue == "RollingUpdate" {
        setIfMissing(&o, ["spec", "updateStrategy", "rollingUpdate", "partition"], 0)
      }
      setIfMissing(&o, ["spec", "podManagementPolicy"], "OrderedReady")
      setIfMissing(&o, ["spec", "revisionHistoryLimit"], 10)
      o["spec"]["template"] = podTemplate(o["spec"]["template"], restartPolicy: "Always")
    case "apps/daemonsets":
      if o["spec"]["updateStrategy"]["type"].isNull { o["spec"]["updateStrategy"]["type"] = "RollingUpdate" }
      if o["spec"]["updateStrategy"]["type"].stringValue == "RollingUpdate" {
        setIfMissing(&o, ["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"], 1)
        setIfMissing(&o, ["spec", "updateStrategy", "rollingUpdate", "maxSurge"], 0)
      }
      setIfMissing(&o, ["spec", "revisionHistoryLimit"], 10)
      o["spec"]["template"] = podTemplate(o["spec"]["template"], restartPolicy: "Always")
    case "apps/replicasets":
      setIfMissing(&o, ["spec", "replicas"], 1)
      o["spec"]["template"] = podTemplate(o["spec"]["template"], restartPolicy: "Always")
    case "batch/jobs":
      setIfMissing(&o, ["spec", "parallelism"], 1)
      setIfMissing(&o, ["spec", "completions"], 1)
      setIfMissing(&o, ["spec", "backoffLimit"], 6)
      setIfMissing(&o, ["spec", "completionMode"], "NonIndexed")
      setIfMissing(&o, ["spec", "suspend"], false)
      o["spec"]["template"] = podTemplate(o["spec"]["template"], restartPolicy: nil)
    case "batch/cronjobs":
      setIfMissing(&o, ["spec", "concurrencyPolicy"], "Allow")
      setIfMissing(&o, ["spec", "suspend"], false)
      setIfMissing(&o, ["spec", "successfulJobsHistoryLimit"], 3)
      setIfMissing(&o, ["spec", "failedJobsHistoryLimit"], 1)
      o["spec"]["jobTemplate"]["spec"]["template"] = podTemplate(o["spec"]["jobTemplate"]["spec"]["template"], restartPolicy: nil)
    case "/pods":
      o["spec"] = podSpec(o["spec"], restartPolicy: "Always")
      if o["status"].isNull { o["status"] = ["phase": "Pending", "qosClass": "BestEffort"] }
    case "/services":
      setIfMissing(&o, ["spec", "type"], "ClusterIP")
      setIfMissing(&o, ["spec", "sessionAffinity"], "None")
      if let ports = o["spec"]["ports"].arrayValue {
        o["spec"]["ports"] = .array(ports.map { p in
          var q = p
          setIfMissing(&q, ["protocol"], "TCP")
          if q["targetPort"].isNull { q["targetPort"] = q["port"] }
          return q
        })
      }
      if o["spec"]["type"].stringValue != "ExternalName", o["spec"]["clusterIP"].isNull {
        var g = SystemRandomNumberGenerator()
        let ip = "10.96.\(g.next() % 250 + 1).\(g.next() % 250 + 1)"
        o["spec"]["clusterIP"] = .string(ip)
        o["spec"]["clusterIPs"] = [.string(ip)]
      }
      if o["status"].isNull { o["status"] = ["loadBalancer": [:]] }
    case "/namespaces":
      setIfMissing(&o, ["spec", "finalizers"], ["kubernetes"])
      if o["status"]["phase"].isNull { o["status"] = ["phase": "Active"] }
    case "rbac.authorization.k8s.io/rolebindings", "rbac.authorization.k8s.io/clusterrolebindings":
      o = binding(o)
    case "networking.k8s.io/networkpolicies":
      o = networkPolicy(o)
    case "/serviceaccounts", "/configmaps", "/secrets":
      if type.plural == "secrets" { setIfMissing(&o, ["type"], "Opaque") }
    default:
      break
    }
    return o
  }

  static func setIfMissing(_ o: inout JSON, _ path: [String], _ value: JSON) {
    if o[path: path].isNull { o[path: path] = value }
  }

  static func podTemplate(_ template: JSON, restartPolicy: String?) -> JSON {
    var t = template
    if t.isNull { return t }
    if t["metadata"].isNull { t["metadata"] = [:] }
    t["spec"] = podSpec(t["spec"], restartPolicy: restartPolicy)
    return t
  }

  static func podSpec(_ spec: JSON, restartPolicy: String?) -> JSON {
    var s = spec
    if s.isNull { return s }
    if let r = restartPolicy { setIfMissing(&s, ["restartPolicy"], .string(r)) }
    setIfMissing(&s, ["dnsPolicy"], "ClusterFirst")
    setIfMissing(&s, ["schedulerName"], "default-scheduler")
    setIfMissing(&s, ["terminationGracePeriodSeconds"], 30)
    setIfMissing(&s, ["securityContext"], [:])
    for list in ["containers", "initContainers"] {
      guard let containers = s[list].arrayValue else { continue }
      s[list] = .array(containers.map(container))
    }
    return s
  }

  static func container(_ c: JSON) -> JSON {
    var c = c
    if c["imagePullPolicy"].isNull, let image = c["image"].stringValue {
      let lastPart = image.split(separator: "/").last.map(String.init) ?? image
      let hasDigest = image.contains("@")
      let tag = lastPart.split(separator: "@").first.flatMap { $0.split(separator: ":").dropFirst().first }
      c["imagePullPolicy"] = (!hasDigest && (tag == nil || tag == "latest")) ? "Always" : "IfNotPresent"
    }
    setIfMissing(&c, ["terminationMessagePath"], "/dev/termination-log")
    setIfMissing(&c, ["terminationMessagePolicy"], "File")
    setIfMissing(&c, ["resources"], [:])
    if let ports = c["ports"].arrayValue {
      c["ports"] = .array(ports.map { p in var q = p; setIfMissing(&q, ["protocol"], "TCP"); return q })
    }
    return c
  }
}
