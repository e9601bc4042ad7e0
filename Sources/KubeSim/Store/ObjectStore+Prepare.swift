import KcdJSON

extension ObjectStore {
  /// Defaults then validation, for create and update alike; custom resources go through their
  /// CRD's structural schema (defaults, pruning, validation).
  func prepare(_ type: ResourceType, _ object: JSON, old: JSON?, in s: inout State, now: Double) throws(StatusError) -> JSON {
    var o = object
    if type.isCustom {
      if let schema = s.schemas[ObjectStore.typeKey(type.group, type.version, type.plural)] {
        let metadata = o["metadata"]
        o = schema.prune(schema.applyDefaults(to: schema.pruneNonNullableNulls(o)))
        o["metadata"] = metadata
        let errors = schema.validate(o)
        if !errors.isEmpty { throw StatusError.invalid(type, o.name, errors.map { ($0.field, $0.reason, $0.message) }) }
      }
      return o
    }
    if type == BuiltinResources.jobs && old == nil { o = Self.jobSelector(o) }
    o = ObjectDefaults.apply(type, o)
    if type == BuiltinResources.customResourceDefinitions {
      o = try CRDRegistry.prepare(o, now: now)
    }
    o = try ObjectValidation.normalizeTimes(type, o)
    try ObjectValidation.validate(type, o, old: old)
    return o
  }

  /// The Job controller's generated selector and labels (unless `manualSelector`).
  static func jobSelector(_ object: JSON) -> JSON {
    var o = object
    if o["spec"]["manualSelector"].boolValue == true { return o }
    let uid = o.uid.isEmpty ? Identifiers.uuid() : o.uid
    o["spec"]["selector"] = ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]]
    o["spec"]["template"]["metadata"]["labels"]["batch.kubernetes.io/controller-uid"] = .string(uid)
    o["spec"]["template"]["metadata"]["labels"]["controller-uid"] = .string(uid)
    o["spec"]["template"]["metadata"]["labels"]["batch.kubernetes.io/job-name"] = .string(o.name)
    o["spec"]["template"]["metadata"]["labels"]["job-name"] = .string(o.name)
    return o
  }

  /// Side effects of a stored write: a CRD registers (or re-registers) its types.
  func afterWrite(_ type: ResourceType, old: JSON?, new: JSON, in s: inout State) throws(StatusError) {
    guard type == BuiltinResources.customResourceDefinitions else { return }
    if let old { unregisterCRD(old, in: &s, keepObjects: true) }
    for (t, schema) in CRDRegistry.types(of: new) {
      let key = ObjectStore.typeKey(t.group, t.version, t.plural)
      s.types[key] = t
      s.schemas[key] = schema
    }
  }

  func unregisterCRD(_ crd: JSON, in s: inout State, keepObjects: Bool = false) {
    let types = CRDRegistry.types(of: crd).map(\.0)
    for t in types {
      let key = ObjectStore.typeKey(t.group, t.version, t.plural)
      s.types[key] = nil
      s.schemas[key] = nil
    }
    if !keepObjects, let t = types.first, let bucket = s.buckets[t.storageGroupResource] {
      for key in bucket.keys { removeLocked(t, key: key, in: &s) }
      s.buckets[t.storageGroupResource] = nil
    }
  }
}
