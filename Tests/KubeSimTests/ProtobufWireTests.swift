import KcdJSON
import Testing

@testable import KubeSim

/// The wire format: varints, skipping what a table does not know, packed repeats, and the
/// errors gogo-protobuf (and so the apiserver) reports for broken input.
@Suite struct ProtobufWireTests {
  @Test("varints round-trip, and a negative int32 takes ten bytes")
  func varints() throws {
    for value: Int64 in [0, 1, 127, 128, 300, 1 << 35, Int64.max, -1, Int64(Int32.min)] {
      var w = ProtoWriter()
      w.intField(1, value)
      var r = ProtoReader(w.bytes)
      let key = try r.readKey(in: "T")
      #expect(key.field == 1 && key.wire == .varint)
      #expect(Int64(bitPattern: try r.readVarint()) == value)
      #expect(r.isAtEnd)
    }
    var w = ProtoWriter()
    w.varint(UInt64(bitPattern: -1))
    #expect(w.bytes.count == 10)
  }

  @Test("fields a table does not know are skipped, whatever their wire type")
  func unknownFieldsSkipped() throws {
    var w = ProtoWriter()
    w.stringField(1, "web")
    w.key(90, .fixed64); w.bytes8()
    w.key(91, .fixed32); w.bytes4()
    w.intField(92, 7)
    w.stringField(93, "future")
    w.key(94, .startGroup); w.intField(1, 1); w.key(94, .endGroup)
    w.stringField(3, "shop")
    let decoded = try ProtoJSONDecoder.decode(w.bytes, as: .objectMeta)
    #expect(decoded == ["name": "web", "namespace": "shop"])
  }

  @Test("repeated varints are read packed and unpacked; written unpacked as proto2 does")
  func packedRepeated() throws {
    var packed = ProtoWriter()
    for g: Int64 in [1000, 2000] { packed.varint(UInt64(g)) }
    var w = ProtoWriter()
    w.messageField(4, packed)
    w.intField(4, 3000)
    let decoded = try ProtoJSONDecoder.decode(w.bytes, as: .podSecurityContext)
    #expect(decoded == ["supplementalGroups": [1000, 2000, 3000]])
    let encoded = ProtoJSONEncoder.encode(decoded, as: .podSecurityContext)
    #expect(encoded == [0x20, 0xE8, 0x07, 0x20, 0xD0, 0x0F, 0x20, 0xB8, 0x17])
  }

  @Test("zero values of omitempty fields are left out; pointer fields keep theirs")
  func zeroValues() throws {
    var w = ProtoWriter()
    w.intField(1, 0)                         // replicas: *int32, kept
    w.intField(5, 0)                         // minReadySeconds: int32 omitempty, dropped
    w.boolField(7, false)                    // paused: bool omitempty, dropped
    w.messageField(4, ProtoWriter())         // strategy: a struct, always present
    let decoded = try ProtoJSONDecoder.decode(w.bytes, as: .deploymentSpec)
    #expect(decoded == ["replicas": 0, "strategy": [:]])
  }

  @Test("broken input fails with gogo's messages", arguments: [
    ([0x0A, 0x05, 0x77], "unexpected EOF"),
    ([0x38], "unexpected EOF"),
    ([0x38, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "proto: integer overflow"),
    ([0x08, 0x01], "proto: wrong wireType = 0 for field Name"),
    ([0x96, 0x03], "proto: illegal wireType 6"),
    ([0x00], "proto: ObjectMeta: illegal tag 0 (wire type 0)"),
    ([0x0C], "proto: ObjectMeta: wiretype end group for non-group"),
  ] as [([UInt8], String)])
  func brokenInput(bytes: [UInt8], message: String) {
    #expect(throws: ProtoError(message: message)) { try ProtoJSONDecoder.decode(bytes, as: .objectMeta) }
  }

  @Test("the envelope: magic, TypeMeta, raw; and the serializer's errors")
  func envelope() throws {
    let envelope = KubernetesEnvelope(apiVersion: "apps/v1", kind: "Deployment", raw: [0x0A, 0x00])
    let bytes = envelope.encoded
    #expect(Array(bytes.prefix(4)) == Array("k8s\0".utf8))
    #expect(try KubernetesEnvelope(decoding: bytes) == envelope)
    #expect(throws: ProtoError(message: "empty data")) { try KubernetesEnvelope(decoding: []) }
    #expect(throws: ProtoError(message: "empty body")) { try KubernetesEnvelope(decoding: Array("k8s\0".utf8)) }
    #expect(throws: ProtoError(message: "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")) {
      try KubernetesEnvelope(decoding: Array("{}".utf8))
    }
  }

  @Test("Time is whole seconds, MicroTime six digits; the zero time is left out")
  func times() throws {
    let spec: JSON = ["holderIdentity": "kcd-0", "acquireTime": "2024-05-01T10:00:00.000000Z", "renewTime": "2024-05-01T10:00:07.123456Z"]
    #expect(try ProtobufSupport.roundTrip(spec, .leaseSpec) == spec)
    let condition: JSON = ["type": "Available", "status": "True", "lastTransitionTime": "1999-12-31T23:59:59Z"]
    #expect(try ProtobufSupport.roundTrip(condition, .deploymentCondition) == condition)
    var w = ProtoWriter()
    w.messageField(8, ProtoWriter())
    #expect(try ProtoJSONDecoder.decode(w.bytes, as: .objectMeta) == [:])
  }
}

extension ProtoWriter {
  mutating func bytes8() { for _ in 0..<8 { varint(0) } }
  mutating func bytes4() { for _ in 0..<4 { varint(0) } }
}
