/// Reads the protobuf wire format from a window of a shared buffer, so nested messages are read
/// in place rather than copied.
struct ProtoReader {
  let bytes: [UInt8]
  private(set) var position: Int
  let end: Int

  init(_ bytes: [UInt8]) { self.init(bytes, 0..<bytes.count) }

  init(_ bytes: [UInt8], _ window: Range<Int>) {
    self.bytes = bytes
    self.position = window.lowerBound
    self.end = window.upperBound
  }

  var isAtEnd: Bool { position >= end }

  mutating func readVarint() throws(ProtoError) -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard shift < 64 else { throw .integerOverflow }
      guard position < end else { throw .unexpectedEOF }
      let b = bytes[position]
      position += 1
      value |= UInt64(b & 0x7F) << shift
      if b < 0x80 { return value }
      shift += 7
    }
  }

  /// The next field key; `messageName` names the message in gogo's error texts.
  mutating func readKey(in messageName: String) throws(ProtoError) -> (field: Int, wire: ProtoWireType) {
    let key = try readVarint()
    let field = Int32(truncatingIfNeeded: key >> 3), wire = key & 7
    if wire == ProtoWireType.endGroup.rawValue { throw ProtoError(message: "proto: \(messageName): wiretype end group for non-group") }
    guard field > 0 else { throw .illegalTag(messageName, field: Int(field), key: key) }
    guard let w = ProtoWireType(rawValue: wire) else { throw .illegalWireType(wire) }
    return (Int(field), w)
  }

  /// The window of a length-delimited value, which is then stepped over.
  mutating func readLengthDelimited() throws(ProtoError) -> Range<Int> {
    let length = try readVarint()
    guard length <= UInt64(Int.max) else { throw .negativeLength }
    guard UInt64(end - position) >= length else { throw .unexpectedEOF }
    let window = position..<(position + Int(length))
    position = window.upperBound
    return window
  }

  /// Steps over a value of a field the schema does not know (proto forward compatibility).
  mutating func skip(_ wire: ProtoWireType) throws(ProtoError) {
    switch wire {
    case .varint: _ = try readVarint()
    case .fixed64: try advance(8)
    case .fixed32: try advance(4)
    case .lengthDelimited: _ = try readLengthDelimited()
    case .startGroup:
      while true {
        let key = try readVarint()
        guard let inner = ProtoWireType(rawValue: key & 7) else { throw .illegalWireType(key & 7) }
        if inner == .endGroup { return }
        try skip(inner)
      }
    case .endGroup: throw .illegalWireType(wire.rawValue)
    }
  }

  private mutating func advance(_ count: Int) throws(ProtoError) {
    guard end - position >= count else { throw .unexpectedEOF }
    position += count
  }

  func slice(_ window: Range<Int>) -> ArraySlice<UInt8> { bytes[window] }

  func string(_ window: Range<Int>) -> String { String(decoding: bytes[window], as: UTF8.self) }
}
