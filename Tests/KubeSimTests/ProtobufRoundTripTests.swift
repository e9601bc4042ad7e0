import KcdJSON
import Testing

@testable import KubeSim

/// JSON → protobuf → JSON for every kind with a table, with objects shaped like those kubectl,
/// kcd and KubeSim's simulator write: nothing may be lost or reshaped on the way.
@Suite struct ProtobufRoundTripTests {
  @Test("each kind survives JSON → protobuf → JSON", arguments: ProtobufSamples.objects)
  func roundTrip(object: JSON) throws {
    let decoded = try ProtobufSupport.json(ProtobufSupport.body(object))
    #expect(decoded == object.withoutNulls, "\(object["kind"])")
  }

  @Test("lists: ListMeta and items without their kind")
  func list() throws {
    var item = ProtobufSamples.objects[6]
    item.removeValue(forKey: "kind")
    item.removeValue(forKey: "apiVersion")
    let list: JSON = ["apiVersion": "apps/v1", "kind": "DeploymentList",
                      "metadata": ["resourceVersion": "99", "continue": "eyJydiI6OTl9", "remainingItemCount": 0], "items": [item, item]]
    #expect(try ProtobufSupport.json(ProtobufSupport.body(list)) == list)
  }

  @Test("Status answers")
  func status() throws {
    let status: JSON = ["apiVersion": "v1", "kind": "Status", "metadata": [:], "status": "Success",
                        "details": ["name": "web", "kind": "deployments", "group": "apps", "uid": "6f1c"]]
    #expect(try ProtobufSupport.json(ProtobufSupport.body(status)) == status)
  }
}

extension JSON {
  /// Go's JSON shows a zero Time as `null`; protobuf has nothing to carry, so it comes back absent.
  var withoutNulls: JSON {
    switch self {
    case .object(let o): return .object(o.filter { !$0.value.isNull }.mapValues(\.withoutNulls))
    case .array(let a): return .array(a.map(\.withoutNulls))
    default: return self
    }
  }

  func with(_ change: (inout JSON) -> Void) -> JSON {
    var copy = self
    change(&copy)
    return copy
  }
}
