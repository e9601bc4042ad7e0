import KcdCore
import KcdJSON

/// JSON → protobuf by a message table. Members the table does not name are left out, and so
/// are values of the wrong JSON type (a stored object has passed validation already).
enum ProtoJSONEncoder {
  static func encode(_ object: JSON, as message: ProtoMessage) -> [UInt8] {
    var w = ProtoWriter()
    write(object, message, into: &w)
    return w.bytes
  }

  static func write(_ object: JSON, _ message: ProtoMessage, into w: inout ProtoWriter) {
    guard case .object(let members) = object else { return }
    for field in message.fields {
      if field.shape == .inline, case .message(let inner) = field.kind {
        // gogo writes an embedded struct even when it is empty.
        var nested = ProtoWriter()
        write(object, inner, into: &nested)
        w.messageField(field.number, nested)
        continue
      }
      guard let value = members[field.name], !value.isNull else { continue }
      switch (field.shape, field.kind) {
      case (.repeated, let kind):
        for item in value.arrayValue ?? [] { writeValue(item, kind, field.number, into: &w) }
      case (_, .map(let valueKind)):
        guard case .object(let entries) = value else { continue }
        // Sorted keys: gogo's deterministic map order.
        for key in entries.keys.sorted() {
          var entry = ProtoWriter()
          entry.stringField(1, key)
          if let v = entries[key], !v.isNull { writeValue(v, valueKind, 2, into: &entry) }
          w.messageField(field.number, entry)
        }
      case (_, let kind):
        writeValue(value, kind, field.number, into: &w)
      }
    }
  }

  static func writeValue(_ value: JSON, _ kind: ProtoKind, _ number: Int, into w: inout ProtoWriter) {
    switch kind {
    case .string:
      if let s = value.stringValue { w.stringField(number, s) }
    case .bytes:
      if let s = value.stringValue, let b = Base64.decode(s) { w.bytesField(number, b) }
    case .bool:
      if let b = value.boolValue { w.boolField(number, b) }
    case .int:
      if let i = value.intValue { w.intField(number, i) }
    case .time, .microTime:
      if let t = ProtoWellKnown.encodeTime(value) { w.messageField(number, t) }
    case .intOrString:
      if let v = ProtoWellKnown.encodeIntOrString(value) { w.messageField(number, v) }
    case .quantity:
      if let q = ProtoWellKnown.encodeQuantity(value) { w.messageField(number, q) }
    case .rawJSON:
      var raw = ProtoWriter()
      raw.bytesField(1, value.serialized())
      w.messageField(number, raw)
    case .message(let inner):
      guard case .object = value else { return }
      var nested = ProtoWriter()
      write(value, inner, into: &nested)
      w.messageField(number, nested)
    case .map:
      return
    }
  }
}
