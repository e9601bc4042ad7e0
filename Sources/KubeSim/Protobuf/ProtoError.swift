/// A malformed protobuf message. The texts are gogo-protobuf's, because the apiserver passes
/// them through in its 400 answers and clients' tests match on them.
struct ProtoError: Error, Sendable, Equatable {
  var message: String

  static let unexpectedEOF = ProtoError(message: "unexpected EOF")
  static let integerOverflow = ProtoError(message: "proto: integer overflow")
  static let negativeLength = ProtoError(message: "proto: negative length found during unmarshaling")

  static func illegalWireType(_ wire: UInt64) -> ProtoError { ProtoError(message: "proto: illegal wireType \(wire)") }

  /// gogo prints the whole key where it says "wire type".
  static func illegalTag(_ message: String, field: Int, key: UInt64) -> ProtoError {
    ProtoError(message: "proto: \(message): illegal tag \(field) (wire type \(key))")
  }

  static func wrongWireType(_ wire: ProtoWireType, field: String) -> ProtoError {
    ProtoError(message: "proto: wrong wireType = \(wire.rawValue) for field \(field)")
  }
}

/// The six wire types of a field key (groups are only ever skipped).
enum ProtoWireType: UInt64, Sendable {
  case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
}
