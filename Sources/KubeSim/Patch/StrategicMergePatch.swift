import KcdJSON

/// Kubernetes strategic merge patch (`application/strategic-merge-patch+json`) for built-in
/// types: like a merge patch, except lists with a merge key merge element-wise and `$`
/// directives steer replacement, deletion and ordering, as kubectl's patches expect.
public enum StrategicMergePatch {
  /// Applies `patch` (which must be a JSON object) to `document`. Directive keys never remain
  /// in the result. Invalid directives are `.malformed`.
  public static func apply(_ patch: JSON, to document: JSON) throws(PatchError) -> JSON {
    guard case .object(let patchMembers) = patch else {
      throw .malformed("a strategic merge patch must be a JSON object")
    }
    switch try mergeMap(document.objectValue ?? [:], patchMembers, path: []) {
    case .merged(let members): return .object(members)
    case .deleted: return .object([:])
    }
  }
}

extension StrategicMergePatch {
  /// A map merge either yields the merged map or, for `$patch: delete`, asks its holder to drop it.
  enum MapOutcome {
    case merged([String: JSON])
    case deleted
  }

  /// Merges one patch map into the live map found at `path` (field names from the root),
  /// honouring a `$patch` directive on the map itself.
  static func mergeMap(_ live: [String: JSON], _ patch: [String: JSON], path: [String]) throws(PatchError) -> MapOutcome {
    var patch = patch
    guard let marker = patch.removeValue(forKey: PatchDirective.marker) else {
      return .merged(try mergeMembers(live, patch, path: path))
    }
    switch try PatchDirective(marker, in: patch) {
    case .delete: return .deleted
    case .replace: return .merged(try mergeMembers([:], patch, path: path))  // only the patch's own content survives
    case .merge: return .merged(try mergeMembers(live, patch, path: path))
    }
  }

  /// Merges a patch map that carries no `$patch` of its own, field by field.
  static func mergeMembers(
    _ live: [String: JSON], _ patch: [String: JSON], path: [String]
  ) throws(PatchError) -> [String: JSON] {
    let fields = try MapPatchFields(patch)
    var result = live
    if let retained = fields.retainedKeys {
      result = result.filter { retained.contains($0.key) }
    }
    for name in fields.fieldNames {
      let fieldPath = path + [name]
      switch fields.values[name] {
      case .some(.null):
        result.removeValue(forKey: name)
      case .some(.object(let patchMembers)):
        switch try mergeMap(result[name]?.objectValue ?? [:], patchMembers, path: fieldPath) {
        case .merged(let members): result[name] = .object(members)
        case .deleted: result.removeValue(forKey: name)
        }
      case .some(.array(let patchElements)):
        let list = ListPatch(elements: patchElements, order: fields.elementOrders[name], deletions: fields.deletions[name])
        result[name] = .array(try mergeList(result[name]?.arrayValue ?? [], list, path: fieldPath))
      case .some(let scalar):
        result[name] = scalar
      case .none:
        // Only `$setElementOrder/` or `$deleteFromPrimitiveList/` name this field.
        guard let liveList = result[name]?.arrayValue else { continue }
        let list = ListPatch(elements: nil, order: fields.elementOrders[name], deletions: fields.deletions[name])
        result[name] = .array(try mergeList(liveList, list, path: fieldPath))
      }
    }
    return result
  }

  /// Everything a patch says about one list: its elements and its parallel directive lists.
  struct ListPatch {
    var elements: [JSON]?
    var order: [JSON]?
    var deletions: [JSON]?
  }

  /// Merges a list according to the strategy its position calls for, then applies
  /// `$setElementOrder` and `$deleteFromPrimitiveList`.
  static func mergeList(_ live: [JSON], _ patch: ListPatch, path: [String]) throws(PatchError) -> [JSON] {
    let strategy = StrategicMergeKeys.strategy(forListAt: path)
    let identity = ElementIdentity(strategy)
    var merged = live
    var patchElements: [JSON] = []
    if let elements = patch.elements {
      let parsed = try ListPatchElements(elements, strategy: strategy, field: path.last ?? "")
      patchElements = parsed.regular
      switch strategy {
      case .replace:
        merged = try cleaned(parsed.regular, path: path)
      case .mergeByKey:
        let base = parsed.replacesList ? [] : identity.removing(parsed.deletedKeys, from: live)
        merged = try mergeKeyed(base, parsed.regular, identity: identity, path: path)
      case .mergeAsSet:
        merged = identity.deduplicated((parsed.replacesList ? [] : live) + parsed.regular)
      }
      if strategy != .replace && !parsed.replacesList {
        // Patch elements take the patch's order; live-only ones keep their place relative to them.
        merged = identity.ordered(merged, by: parsed.regular, live: live)
      }
    }
    if let order = patch.order {
      try identity.validate(order: order, against: patchElements)
      merged = identity.ordered(merged, by: order, live: live)
    }
    if let deletions = patch.deletions {
      merged = ElementIdentity.wholeValue.removing(deletions, from: merged)
    }
    return merged
  }

  /// Merges keyed patch elements into the list: a match by key merges recursively, anything
  /// else is appended (`mergeList` then puts the result in the apiserver's order).
  static func mergeKeyed(
    _ base: [JSON], _ patchElements: [JSON], identity: ElementIdentity, path: [String]
  ) throws(PatchError) -> [JSON] {
    var result = base
    var positions = identity.positions(in: result)
    for element in patchElements {
      guard case .object(let patchMembers) = element, let key = identity.key(of: element) else {
        throw .malformed("map: \(element.text) does not contain declared merge key: \(identity.mergeKey ?? "")")
      }
      if let offset = positions[key] {
        result[offset] = .object(try mergeMembers(result[offset].objectValue ?? [:], patchMembers, path: path))
      } else {
        positions[key] = result.count
        result.append(try cleanedElement(element, path: path))
      }
    }
    return result
  }

  /// Patch elements taken as new values still go through the merge so nested directives are
  /// honoured and no directive key or `null` member is stored. `ListPatchElements` has already
  /// taken every element's `$patch`.
  static func cleaned(_ elements: [JSON], path: [String]) throws(PatchError) -> [JSON] {
    var result: [JSON] = []
    result.reserveCapacity(elements.count)
    for element in elements { result.append(try cleanedElement(element, path: path)) }
    return result
  }

  static func cleanedElement(_ element: JSON, path: [String]) throws(PatchError) -> JSON {
    guard case .object(let members) = element else { return element }
    return .object(try mergeMembers([:], members, path: path))
  }
}
