import KcdJSON

/// Validation of Ingresses, NetworkPolicies and PodDisruptionBudgets, with the messages of
/// k8s.io/kubernetes pkg/apis/networking/validation and pkg/apis/policy/validation.
extension ObjectValidation {
  static let pathTypes = ["Exact", "ImplementationSpecific", "Prefix"]

  /// pathType is required in networking.k8s.io/v1 (v1beta1 defaulted it); Exact and Prefix
  /// paths must be absolute; a backend needs a service name and one of port name or number.
  static func ingress(_ o: JSON) -> [Cause] {
    var causes: [Cause] = []
    let rules = o["spec"]["rules"].arrayValue ?? []
    if rules.isEmpty && o["spec"]["defaultBackend"].isNull {
      causes.append(("spec", "FieldValueInvalid", "Invalid value: null: either `defaultBackend` or `rules` must be specified"))
    }
    if !o["spec"]["defaultBackend"].isNull { causes += ingressBackend(o["spec"]["defaultBackend"], field: "spec.defaultBackend") }
    for (i, rule) in rules.enumerated() {
      for (j, path) in (rule["http"]["paths"].arrayValue ?? []).enumerated() {
        let field = "spec.rules[\(i)].http.paths[\(j)]"
        let text = path["path"].stringValue ?? ""
        switch path["pathType"].stringValue {
        case nil:
          causes.append(("\(field).pathType", "FieldValueRequired", "Required value: pathType must be specified"))
        case "Exact", "Prefix", "ImplementationSpecific":
          if (path["pathType"] != "ImplementationSpecific" || !text.isEmpty) && !text.hasPrefix("/") {
            causes.append(("\(field).path", "FieldValueInvalid", "Invalid value: \(JSON.string(text).text): must be an absolute path"))
          }
        case let other?:
          causes.append(("\(field).pathType", "FieldValueNotSupported", "Unsupported value: \(JSON.string(other).text): supported values: \(pathTypes.map { "\"\($0)\"" }.joined(separator: ", "))"))
        }
        causes += ingressBackend(path["backend"], field: "\(field).backend")
      }
    }
    return causes
  }

  static func ingressBackend(_ backend: JSON, field: String) -> [Cause] {
    let service = backend["service"]
    if service.isNull {
      return backend["resource"].isNull ? [(field, "FieldValueInvalid", "Invalid value: \"\": resource or service backend is required")] : []
    }
    var causes: [Cause] = []
    if (service["name"].stringValue ?? "").isEmpty { causes.append(("\(field).service.name", "FieldValueRequired", "Required value")) }
    let hasName = !(service["port"]["name"].stringValue ?? "").isEmpty
    let hasNumber = (service["port"]["number"].intValue ?? 0) != 0
    if hasName && hasNumber {
      causes.append(("\(field).service.port", "FieldValueInvalid", "Invalid value: \(service["port"].text): cannot set both port name & port number"))
    } else if !hasName && !hasNumber {
      causes.append(("\(field).service.port", "FieldValueRequired", "Required value: port name or number is required"))
    }
    return causes
  }

  static func networkPolicy(_ o: JSON) -> [Cause] {
    let types = o["spec"]["policyTypes"].arrayValue ?? []
    var causes: [Cause] = []
    for (i, t) in types.enumerated() where t != "Ingress" && t != "Egress" {
      causes.append(("spec.policyTypes[\(i)]", "FieldValueNotSupported", "Unsupported value: \(t.text): supported values: \"Egress\", \"Ingress\""))
    }
    if types.count > 2 {
      causes.append(("spec.policyTypes", "FieldValueInvalid", "Invalid value: \(o["spec"]["policyTypes"].text): may not specify more than two policyTypes"))
    }
    return causes
  }

  /// minAvailable and maxUnavailable exclude each other; each is a non-negative count or a
  /// percentage up to 100%.
  static func podDisruptionBudget(_ o: JSON) -> [Cause] {
    let spec = o["spec"]
    var causes: [Cause] = []
    if !spec["minAvailable"].isNull && !spec["maxUnavailable"].isNull {
      causes.append(("spec", "FieldValueInvalid", "Invalid value: \(spec.text): minAvailable and maxUnavailable cannot be both set"))
    }
    for key in ["minAvailable", "maxUnavailable"] where !spec[key].isNull {
      causes += intOrPercent(spec[key], field: "spec.\(key)")
    }
    if let policy = spec["unhealthyPodEvictionPolicy"].stringValue, policy != "AlwaysAllow", policy != "IfHealthyBudget" {
      causes.append(("spec.unhealthyPodEvictionPolicy", "FieldValueNotSupported", "Unsupported value: \(JSON.string(policy).text): supported values: \"AlwaysAllow\", \"IfHealthyBudget\""))
    }
    return causes
  }

  /// apps validation's ValidatePositiveIntOrPercent and IsNotMoreThan100Percent.
  static func intOrPercent(_ value: JSON, field: String) -> [Cause] {
    if let n = value.intValue {
      return n < 0 ? [(field, "FieldValueInvalid", "Invalid value: \(n): must be greater than or equal to 0")] : []
    }
    guard let s = value.stringValue, s.hasSuffix("%"), let percent = Int(s.dropLast()) else {
      return [(field, "FieldValueInvalid", "Invalid value: \(value.text): a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")]
    }
    if percent < 0 { return [(field, "FieldValueInvalid", "Invalid value: \(value.text): must be greater than or equal to 0")] }
    return percent > 100 ? [(field, "FieldValueInvalid", "Invalid value: \(value.text): must not be greater than 100%")] : []
  }
}
