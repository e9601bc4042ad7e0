/// Writes the protobuf wire format; nested messages are written to their own writer first,
/// because a length prefix precedes them.
struct ProtoWriter {
  private(set) var bytes: [UInt8] = []

  mutating func varint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  mutating func key(_ field: Int, _ wire: ProtoWireType) { varint(UInt64(field) << 3 | wire.rawValue) }

  /// int32 and int64 alike: negative numbers take ten bytes, as the protobuf spec has it.
  mutating func intField(_ field: Int, _ value: Int64) {
    key(field, .varint)
    varint(UInt64(bitPattern: value))
  }

  mutating func boolField(_ field: Int, _ value: Bool) { intField(field, value ? 1 : 0) }

  mutating func bytesField(_ field: Int, _ value: some Collection<UInt8>) {
    key(field, .lengthDelimited)
    varint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  mutating func stringField(_ field: Int, _ value: String) { bytesField(field, Array(value.utf8)) }

  mutating func messageField(_ field: Int, _ message: ProtoWriter) { bytesField(field, message.bytes) }
}
