import KcdJSON

/// Validation the apiserver performs for the built-in kinds KubeSim serves; each failure is a
/// field cause of a 422 Invalid (or a 400 where the real server refuses to decode).
enum ObjectValidation {
  typealias Cause = (field: String, reason: String, message: String)

  static func validate(_ type: ResourceType, _ o: JSON, old: JSON?) throws(StatusError) {
    var causes: [Cause] = []
    switch type.storageGroupResource {
    case "apps/deployments", "apps/statefulsets", "apps/daemonsets", "apps/replicasets":
      causes += workload(o, templatePath: ["spec", "template"], field: "spec.template")
      if let old, o["spec"]["selector"] != old["spec"]["selector"] {
        causes.append(("spec.selector", "FieldValueInvalid", "Invalid value: \(o["spec"]["selector"].text): field is immutable"))
      }
    case "batch/jobs":
      causes += containers(o["spec"]["template"]["spec"], field: "spec.template.spec")
      let policy = o["spec"]["template"]["spec"]["restartPolicy"].stringValue
      if policy != "Never" && policy != "OnFailure" {
        causes.append(("spec.template.spec.restartPolicy", "FieldValueRequired", "Required value: valid values: \"OnFailure\", \"Never\""))
      }
      if let old {
        if o["spec"]["template"] != old["spec"]["template"] {
          causes.append(("spec.template", "FieldValueInvalid", "Invalid value: \(o["spec"]["template"].text): field is immutable"))
        }
        if o["spec"]["selector"] != old["spec"]["selector"] {
          causes.append(("spec.selector", "FieldValueInvalid", "Invalid value: \(o["spec"]["selector"].text): field is immutable"))
        }
      }
    case "batch/cronjobs":
      if o["spec"]["schedule"].stringValue?.isEmpty ?? true { causes.append(("spec.schedule", "FieldValueRequired", "Required value")) }
      causes += containers(o["spec"]["jobTemplate"]["spec"]["template"]["spec"], field: "spec.jobTemplate.spec.template.spec")
    case "/pods":
      causes += containers(o["spec"], field: "spec")
    case "/events":
      let ns = o["involvedObject"]["namespace"].stringValue ?? ""
      if !ns.isEmpty && ns != o.namespace {
        causes.append(("involvedObject.namespace", "FieldValueInvalid", "Invalid value: \"\(ns)\": does not match event.namespace"))
      }
      if let t = o["eventTime"].stringValue {
        guard GoTime(parsing: t, .rfc3339Micro) != nil else { throw microTimeError(type, t) }
        for f in ["reportingComponent", "reportingInstance", "action"] where (o[f].stringValue ?? "").isEmpty {
          causes.append((f, "FieldValueRequired", "Required value"))
        }
      }
    case "events.k8s.io/events":
      guard let t = o["eventTime"].stringValue else {
        throw StatusError.invalid(type, o.name, [("eventTime", "FieldValueRequired", "Required value")])
      }
      guard GoTime(parsing: t, .rfc3339Micro) != nil else { throw microTimeError(type, t) }
      for f in ["reportingController", "reportingInstance", "action", "reason"] where (o[f].stringValue ?? "").isEmpty {
        causes.append((f, "FieldValueRequired", "Required value"))
      }
    case "rbac.authorization.k8s.io/roles", "rbac.authorization.k8s.io/clusterroles":
      causes += rules(o, namespaced: type.namespaced)
    case "rbac.authorization.k8s.io/rolebindings", "rbac.authorization.k8s.io/clusterrolebindings":
      causes += binding(o, old: old, namespaced: type.namespaced)
    case "networking.k8s.io/ingresses": causes += ingress(o)
    case "networking.k8s.io/networkpolicies": causes += networkPolicy(o)
    case "policy/poddisruptionbudgets": causes += podDisruptionBudget(o)
    case "coordination.k8s.io/leases":
      for f in ["acquireTime", "renewTime"] {
        if let t = o["spec"][f].stringValue, GoTime(parsing: t, .rfc3339Micro) == nil { throw microTimeError(type, t) }
      }
    default:
      break
    }
    if !causes.isEmpty { throw StatusError.invalid(type, o.name, causes) }
  }

  /// Time fields as the apiserver stores them: metav1.Time in whole UTC seconds, MicroTime in
  /// UTC with six digits (both accept an offset on input). Unparsable times are a 400.
  static func normalizeTimes(_ type: ResourceType, _ o: JSON) throws(StatusError) -> JSON {
    var o = o
    func time(_ path: [String]) throws(StatusError) {
      guard let t = o[path: path].stringValue else { return }
      guard let instant = GoTime(parsing: t, .rfc3339) else {
        throw .badRequest("\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): parsing time \"\(t)\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\(t)\" as \"2006\"")
      }
      o[path: path] = .string(instant.formatted(.rfc3339))
    }
    func micro(_ path: [String]) throws(StatusError) {
      guard let t = o[path: path].stringValue else { return }
      guard let instant = GoTime(parsing: t, .rfc3339Micro) else { throw microTimeError(type, t) }
      o[path: path] = .string(instant.formatted(.rfc3339Micro))
    }
    switch type.storageGroupResource {
    case "/events":
      try time(["firstTimestamp"]); try time(["lastTimestamp"]); try micro(["eventTime"]); try micro(["series", "lastObservedTime"])
    case "events.k8s.io/events":
      try micro(["eventTime"]); try micro(["series", "lastObservedTime"])
      try time(["deprecatedFirstTimestamp"]); try time(["deprecatedLastTimestamp"])
    case "coordination.k8s.io/leases":
      try micro(["spec", "acquireTime"]); try micro(["spec", "renewTime"])
    default: break
    }
    return o
  }

  /// The decode error the apiserver gives for a MicroTime without exactly six fractional digits.
  static func microTimeError(_ type: ResourceType, _ text: String) -> StatusError {
    .badRequest("\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): parsing time \"\(text)\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"\(text.dropFirst(19))\" as \".000000\"")
  }

  static func workload(_ o: JSON, templatePath: [String], field: String) -> [Cause] {
    var causes: [Cause] = []
    let selector = o["spec"]["selector"]
    if selector.isNull {
      causes.append(("spec.selector", "FieldValueRequired", "Required value"))
    } else {
      do {
        let s = try LabelSelector.fromJSON(selector)
        if s.isEverything {
          causes.append(("spec.selector", "FieldValueInvalid", "Invalid value: \(selector.text): empty selector is invalid for deployment"))
        } else if !s.matches(o[path: templatePath].labels) {
          causes.append(("\(field).metadata.labels", "FieldValueInvalid", "Invalid value: \(o[path: templatePath]["metadata"]["labels"].text): `selector` does not match template `labels`"))
        }
      } catch {
        causes.append(("spec.selector", "FieldValueInvalid", "Invalid value: \(selector.text): \(error)"))
      }
    }
    causes += containers(o[path: templatePath]["spec"], field: "\(field).spec")
    return causes
  }

  static func containers(_ spec: JSON, field: String) -> [Cause] {
    guard let list = spec["containers"].arrayValue, !list.isEmpty else {
      return [("\(field).containers", "FieldValueRequired", "Required value")]
    }
    var causes: [Cause] = []
    var names: Set<String> = []
    for (i, c) in list.enumerated() {
      let name = c["name"].stringValue ?? ""
      if name.isEmpty { causes.append(("\(field).containers[\(i)].name", "FieldValueRequired", "Required value")) }
      if !names.insert(name).inserted { causes.append(("\(field).containers[\(i)].name", "FieldValueDuplicate", "Duplicate value: \"\(name)\"")) }
      if (c["image"].stringValue ?? "").isEmpty { causes.append(("\(field).containers[\(i)].image", "FieldValueRequired", "Required value")) }
    }
    return causes
  }
}
