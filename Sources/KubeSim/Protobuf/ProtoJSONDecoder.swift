import KcdCore
import KcdJSON

/// Protobuf → the JSON object the Kubernetes JSON encoding gives for the same Go value. Field
/// numbers the table does not know are skipped (proto forward compatibility).
enum ProtoJSONDecoder {
  static func decode(_ bytes: [UInt8], as message: ProtoMessage) throws(ProtoError) -> JSON {
    var reader = ProtoReader(bytes)
    var object: [String: JSON] = [:]
    try decodeFields(&reader, message, into: &object)
    return .object(object)
  }

  static func decodeFields(_ reader: inout ProtoReader, _ message: ProtoMessage, into object: inout [String: JSON]) throws(ProtoError) {
    while !reader.isAtEnd {
      let (number, wire) = try reader.readKey(in: message.name)
      guard let field = message.field(number) else {
        try reader.skip(wire)
        continue
      }
      switch (field.shape, field.kind) {
      case (.inline, .message(let inner)):
        var nested = try nestedReader(&reader, wire, field)
        try decodeFields(&nested, inner, into: &object)
      case (.repeated, let kind):
        var items = object[field.name]?.arrayValue ?? []
        if wire == .lengthDelimited && kind.isPackable {
          var packed = ProtoReader(reader.bytes, try reader.readLengthDelimited())
          while !packed.isAtEnd { items.append(try value(kind, .varint, &packed, field)) }
        } else {
          items.append(try value(kind, wire, &reader, field))
        }
        object[field.name] = .array(items)
      case (_, .map(let valueKind)):
        var entries = object[field.name]?.objectValue ?? [:]
        var entry = try nestedReader(&reader, wire, field)
        let (key, entryValue) = try mapEntry(&entry, valueKind, field)
        entries[key] = entryValue
        object[field.name] = .object(entries)
      case (_, .message(let inner)):
        // proto2 merges a message field that occurs twice.
        var fields = object[field.name]?.objectValue ?? [:]
        var nested = try nestedReader(&reader, wire, field)
        try decodeFields(&nested, inner, into: &fields)
        object[field.name] = .object(fields)
      case (let shape, let kind):
        let v = try value(kind, wire, &reader, field)
        if v.isNull || (shape == .omitsZero && isZero(v)) { object.removeValue(forKey: field.name) } else { object[field.name] = v }
      }
    }
  }

  /// One value; `.null` where Go's JSON says null (the zero Time, an empty RawExtension).
  static func value(_ kind: ProtoKind, _ wire: ProtoWireType, _ reader: inout ProtoReader, _ field: ProtoField) throws(ProtoError) -> JSON {
    switch kind {
    case .int:
      guard wire == .varint else { throw .wrongWireType(wire, field: goName(field)) }
      return .int(Int64(bitPattern: try reader.readVarint()))
    case .bool:
      guard wire == .varint else { throw .wrongWireType(wire, field: goName(field)) }
      return .bool(try reader.readVarint() != 0)
    default: break
    }
    var nested = try nestedReader(&reader, wire, field)
    let window = nested.position..<nested.end
    switch kind {
    case .string: return .string(nested.string(window))
    case .bytes: return .string(Base64.encode(nested.slice(window)))
    case .time: return try ProtoWellKnown.decodeTime(&nested, micro: false)
    case .microTime: return try ProtoWellKnown.decodeTime(&nested, micro: true)
    case .intOrString: return try ProtoWellKnown.decodeIntOrString(&nested)
    case .quantity: return try ProtoWellKnown.decodeQuantity(&nested)
    case .rawJSON: return try ProtoWellKnown.decodeRawJSON(&nested, field: goName(field))
    case .message(let inner):
      var fields: [String: JSON] = [:]
      try decodeFields(&nested, inner, into: &fields)
      return .object(fields)
    case .map, .int, .bool:
      throw .wrongWireType(wire, field: goName(field))
    }
  }

  /// A map entry {key = 1, value = 2}; a missing value is the zero value, as in Go.
  static func mapEntry(_ reader: inout ProtoReader, _ kind: ProtoKind, _ field: ProtoField) throws(ProtoError) -> (String, JSON) {
    var key = ""
    var entryValue: JSON?
    while !reader.isAtEnd {
      let (number, wire) = try reader.readKey(in: goName(field) + "Entry")
      switch number {
      case 1:
        guard wire == .lengthDelimited else { throw .wrongWireType(wire, field: "key") }
        key = reader.string(try reader.readLengthDelimited())
      case 2: entryValue = try value(kind, wire, &reader, field)
      default: try reader.skip(wire)
      }
    }
    if let v = entryValue { return (key, v) }
    switch kind {
    case .int: return (key, 0)
    case .bool: return (key, false)
    case .quantity: return (key, "0")
    case .message: return (key, [:])
    case .time, .microTime, .rawJSON: return (key, .null)
    default: return (key, "")
    }
  }

  static func nestedReader(_ reader: inout ProtoReader, _ wire: ProtoWireType, _ field: ProtoField) throws(ProtoError) -> ProtoReader {
    guard wire == .lengthDelimited else { throw .wrongWireType(wire, field: goName(field)) }
    return ProtoReader(reader.bytes, try reader.readLengthDelimited())
  }

  static func isZero(_ value: JSON) -> Bool {
    switch value {
    case .string(let s): return s.isEmpty
    case .int(let i): return i == 0
    case .bool(let b): return !b
    default: return false
    }
  }

  /// gogo names the Go field in its errors: `replicas` → `Replicas`.
  static func goName(_ field: ProtoField) -> String { field.name.prefix(1).uppercased() + field.name.dropFirst() }
}
