import KcdJSON

/// The label and field selectors of a list or watch, plus its namespace, as one predicate.
struct ObjectFilter: Sendable {
  var namespace: String?
  var labels: LabelSelector?
  var fields: FieldSelector?

  init(type: ResourceType, namespace: String?, labelSelector: String?, fieldSelector: String?) throws(StatusError) {
    self.namespace = type.namespaced ? namespace : nil
    if let text = labelSelector, !text.isEmpty {
      do { labels = try LabelSelector(parsing: text) } catch { throw .badRequest(error.message) }
    }
    if let text = fieldSelector, !text.isEmpty {
      let parsed: FieldSelector
      do { parsed = try FieldSelector(parsing: text) } catch { throw .badRequest(error.message) }
      if let bad = parsed.unsupportedField(allowed: ObjectFilter.allowedFields(type)) {
        throw .badRequest("field label not supported: \(bad)")
      }
      fields = parsed
    }
  }

  static func allowedFields(_ type: ResourceType) -> Set<String> {
    var allowed: Set<String> = ["metadata.name", "metadata.namespace"]
    switch type.storageGroupResource {
    case "/events":
      allowed.formUnion(["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                         "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                         "reason", "reportingComponent", "source", "type"])
    case "events.k8s.io/events":
      allowed.formUnion(["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "reason", "type", "reportingController"])
    case "/pods": allowed.formUnion(["spec.nodeName", "status.phase", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName"])
    case "/secrets": allowed.insert("type")
    case "/namespaces": allowed.insert("status.phase")
    case "batch/jobs": allowed.insert("status.successful")
    default: break
    }
    return allowed
  }

  static func fieldValue(_ object: JSON, _ field: String) -> String? {
    if field == "source" { return object["source"]["component"].stringValue ?? "" }
    let path = field.split(separator: ".").map(String.init)
    let v = object[path: path]
    switch v {
    case .string(let s): return s
    case .int(let i): return String(i)
    case .bool(let b): return String(b)
    case .null: return ""
    default: return v.text
    }
  }

  func matches(_ object: JSON) -> Bool {
    if let ns = namespace, object.namespace != ns { return false }
    if let l = labels, !l.matches(object.labels) { return false }
    if let f = fields, !f.matches({ ObjectFilter.fieldValue(object, $0) }) { return false }
    return true
  }
}
