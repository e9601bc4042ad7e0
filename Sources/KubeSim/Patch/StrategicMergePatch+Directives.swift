import KcdJSON

/// The `$`-directives of strategic merge patch, parsed and checked before anything is merged so
/// a malformed directive is a 400 and no directive key can leak into a stored object.
extension StrategicMergePatch {
  /// The value of a `$patch` key, in a map or in a list element.
  enum PatchDirective {
    static let marker = "$patch"

    case replace, merge, delete

    init(_ value: JSON, in members: [String: JSON]) throws(PatchError) {
      switch value.stringValue {
      case "replace"?: self = .replace
      case "merge"?: self = .merge
      case "delete"?: self = .delete
      default:
        var shown = members
        shown[PatchDirective.marker] = value
        throw .malformed("unknown patch type: \(value.text) in map: \(JSON.object(shown).text)")
      }
    }
  }

  /// A patch map split into its ordinary fields and its map-level directives.
  struct MapPatchFields {
    static let retainKeys = "$retainKeys"
    static let setElementOrder = "$setElementOrder"
    static let deleteFromPrimitiveList = "$deleteFromPrimitiveList"

    /// Ordinary fields by name.
    var values: [String: JSON] = [:]
    /// `$retainKeys`: live keys outside this set are cleared before merging.
    var retainedKeys: Set<String>?
    /// `$setElementOrder/<field>` lists by field.
    var elementOrders: [String: [JSON]] = [:]
    /// `$deleteFromPrimitiveList/<field>` lists by field.
    var deletions: [String: [JSON]] = [:]

    /// Every field the patch touches, sorted so the merge is deterministic.
    var fieldNames: [String] {
      Set(values.keys).union(elementOrders.keys).union(deletions.keys).sorted()
    }

    init(_ patch: [String: JSON]) throws(PatchError) {
      // Sorted, so that of several faults the same one is always reported.
      for (name, value) in patch.sorted(by: { $0.key < $1.key }) {
        if name == Self.retainKeys {
          retainedKeys = try Self.retainedKeys(value)
        } else if let field = try Self.parallelField(name, prefix: Self.setElementOrder) {
          guard case .array(let order) = value else {
            throw .malformed("invalid patch format of setElementOrder list: \(name) must be a list")
          }
          elementOrders[field] = order
        } else if let field = try Self.parallelField(name, prefix: Self.deleteFromPrimitiveList) {
          guard case .array(let doomed) = value else {
            throw .malformed("invalid patch format of primitive list: \(name) must be a list")
          }
          deletions[field] = doomed
        } else {
          values[name] = value
        }
      }
      // Every field the patch sets must survive `$retainKeys`; a `null` just clears.
      if let retainedKeys,
        let unlisted = values.keys.sorted().first(where: { values[$0]?.isNull == false && !retainedKeys.contains($0) })
      {
        throw .malformed("invalid patch format of retainKeys: field \"\(unlisted)\" is patched but not listed in $retainKeys")
      }
    }

    static func retainedKeys(_ value: JSON) throws(PatchError) -> Set<String> {
      guard case .array(let names) = value else {
        throw .malformed("invalid patch format of retainKeys: $retainKeys must be a list of field names")
      }
      var keys: Set<String> = []
      for name in names {
        guard let key = name.stringValue else {
          throw .malformed("invalid patch format of retainKeys: \(name.text) is not a field name")
        }
        keys.insert(key)
      }
      return keys
    }

    /// The field a parallel-list directive names; nil when `name` is not that directive.
    static func parallelField(_ name: String, prefix: String) throws(PatchError) -> String? {
      guard name.hasPrefix(prefix) else { return nil }
      let rest = name.dropFirst(prefix.count)
      guard rest.first == "/", rest.count > 1 else {
        throw .malformed("invalid patch directive \"\(name)\": expected \(prefix)/<list field>")
      }
      return String(rest.dropFirst())
    }
  }

  /// A patch list split into ordinary elements and its `$patch` elements.
  struct ListPatchElements {
    var regular: [JSON] = []
    /// Identity keys of elements marked `$patch: delete`.
    var deletedKeys: Set<String> = []
    /// An element `{"$patch": "replace"}` makes the list exactly the other patch elements.
    var replacesList = false

    init(_ elements: [JSON], strategy: ListPatchStrategy, field: String) throws(PatchError) {
      let identity = ElementIdentity(strategy)
      for element in elements {
        guard case .object(var members) = element, let marker = members.removeValue(forKey: PatchDirective.marker) else {
          regular.append(element)
          continue
        }
        switch try PatchDirective(marker, in: members) {
        case .replace:
          replacesList = true
        case .merge:
          if !members.isEmpty { regular.append(.object(members)) }
        case .delete:
          guard let mergeKey = identity.mergeKey else {
            throw .malformed("$patch: delete in list \"\(field)\" needs a merge key, and \"\(field)\" has none")
          }
          guard let key = identity.key(of: .object(members)) else {
            throw .malformed("map: \(JSON.object(members).text) does not contain declared merge key: \(mergeKey)")
          }
          deletedKeys.insert(key)
        }
      }
    }
  }

  /// What makes two list elements "the same": the merge key's value for keyed lists, the whole
  /// value otherwise. Keys are compact serialisations so lookups stay linear on large lists.
  struct ElementIdentity {
    /// nil when elements are identified by their whole value.
    let mergeKey: String?

    static let wholeValue = ElementIdentity(mergeKey: nil)

    init(mergeKey: String?) { self.mergeKey = mergeKey }

    init(_ strategy: ListPatchStrategy) {
      if case .mergeByKey(let key) = strategy { mergeKey = key } else { mergeKey = nil }
    }

    func key(of element: JSON) -> String? {
      guard let mergeKey else { return element.text }
      guard case .object(let members) = element, let value = members[mergeKey] else { return nil }
      return value.text
    }

    func removing(_ keys: Set<String>, from list: [JSON]) -> [JSON] {
      guard !keys.isEmpty else { return list }
      return list.filter { element in key(of: element).map { !keys.contains($0) } ?? true }
    }

    func removing(_ values: [JSON], from list: [JSON]) -> [JSON] {
      removing(Set(values.map(\.text)), from: list)
    }

    func deduplicated(_ list: [JSON]) -> [JSON] {
      var seen: Set<String> = []
      return list.filter { element in key(of: element).map { seen.insert($0).inserted } ?? true }
    }

    func positions(in list: [JSON]) -> [String: Int] {
      var positions: [String: Int] = [:]
      for (offset, element) in list.enumerated() {
        if let key = key(of: element), positions[key] == nil { positions[key] = offset }
      }
      return positions
    }

    /// `$setElementOrder` must name every non-deleted patch element, in the patch's order.
    func validate(order: [JSON], against patchElements: [JSON]) throws(PatchError) {
      var orderKeys: [String] = []
      for element in order {
        guard let key = key(of: element) else {
          throw .malformed("invalid patch format of setElementOrder list: \(element.text) has no merge key \(mergeKey ?? "")")
        }
        orderKeys.append(key)
      }
      var cursor = 0
      for element in patchElements {
        guard let key = key(of: element) else { continue }
        while cursor < orderKeys.count, orderKeys[cursor] != key { cursor += 1 }
        guard cursor < orderKeys.count else {
          throw .malformed(
            "the order in patch list \(JSON.array(patchElements).text) doesn't match "
              + "$setElementOrder list \(JSON.array(order).text)")
        }
        cursor += 1
      }
    }

    /// Puts the elements named in `order` into that order and slots every other element back
    /// in by its position in the live list, as the apiserver does: an unnamed element goes
    /// before a named one only if it came before it in the live list.
    func ordered(_ merged: [JSON], by order: [JSON], live: [JSON]) -> [JSON] {
      let rank = positions(in: order)
      var named: [(rank: Int, offset: Int, element: JSON)] = []
      var unnamed: [JSON] = []
      for (offset, element) in merged.enumerated() {
        if let key = key(of: element), let position = rank[key] {
          named.append((position, offset, element))
        } else {
          unnamed.append(element)
        }
      }
      named.sort { ($0.rank, $0.offset) < ($1.rank, $1.offset) }
      return interleaving(unnamed, into: named.map(\.element), livePositions: positions(in: live))
    }

    func interleaving(_ unnamed: [JSON], into named: [JSON], livePositions: [String: Int]) -> [JSON] {
      var result: [JSON] = []
      result.reserveCapacity(unnamed.count + named.count)
      var left = 0
      var right = 0
      while left < unnamed.count, right < named.count {
        if let l = key(of: unnamed[left]).flatMap({ livePositions[$0] }),
          let r = key(of: named[right]).flatMap({ livePositions[$0] }), l < r
        {
          result.append(unnamed[left])
          left += 1
        } else {
          result.append(named[right])
          right += 1
        }
      }
      result.append(contentsOf: unnamed[left...])
      result.append(contentsOf: named[right...])
      return result
    }
  }
}
