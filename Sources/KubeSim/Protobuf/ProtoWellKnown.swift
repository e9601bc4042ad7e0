import KcdJSON

/// The apimachinery messages whose JSON form is a scalar: Time, MicroTime, IntOrString, Quantity.
enum ProtoWellKnown {
  /// `metav1.Time` / `MicroTime` {seconds = 1, nanos = 2} → RFC 3339 (`micro`: six fractional
  /// digits, truncated as Go formats them); the zero time is JSON `null`.
  static func decodeTime(_ reader: inout ProtoReader, micro: Bool) throws(ProtoError) -> JSON {
    var seconds: Int64 = 0, nanos: Int64 = 0
    while !reader.isAtEnd {
      let (number, wire) = try reader.readKey(in: "Timestamp")
      switch (number, wire) {
      case (1, .varint): seconds = Int64(bitPattern: try reader.readVarint())
      case (2, .varint): nanos = Int64(Int32(truncatingIfNeeded: try reader.readVarint()))
      default: try reader.skip(wire)
      }
    }
    if seconds == 0 && nanos == 0 { return .null }
    return .string(GoTime(seconds: seconds, nanos: Int(max(0, nanos))).formatted(micro ? .rfc3339Micro : .rfc3339))
  }

  static func encodeTime(_ value: JSON) -> ProtoWriter? {
    guard let text = value.stringValue, let t = GoTime(parsing: text, .rfc3339) else { return nil }
    var w = ProtoWriter()
    w.intField(1, t.seconds)
    w.intField(2, Int64(t.nanos))
    return w
  }

  /// `intstr.IntOrString` {type = 1 (0 int, 1 string), intVal = 2, strVal = 3}.
  static func decodeIntOrString(_ reader: inout ProtoReader) throws(ProtoError) -> JSON {
    var type: UInt64 = 0, intVal: Int64 = 0, strVal = ""
    while !reader.isAtEnd {
      let (number, wire) = try reader.readKey(in: "IntOrString")
      switch (number, wire) {
      case (1, .varint): type = try reader.readVarint()
      case (2, .varint): intVal = Int64(Int32(truncatingIfNeeded: try reader.readVarint()))
      case (3, .lengthDelimited): strVal = reader.string(try reader.readLengthDelimited())
      default: try reader.skip(wire)
      }
    }
    return type == 1 ? .string(strVal) : .int(intVal)
  }

  /// All three fields, as gogo writes them.
  static func encodeIntOrString(_ value: JSON) -> ProtoWriter? {
    var w = ProtoWriter()
    switch value {
    case .string(let s): w.intField(1, 1); w.intField(2, 0); w.stringField(3, s)
    default:
      guard let i = value.intValue else { return nil }
      w.intField(1, 0); w.intField(2, i); w.stringField(3, "")
    }
    return w
  }

  /// `resource.Quantity` {string = 1}; the zero Quantity is "0" in JSON, as Go marshals it.
  static func decodeQuantity(_ reader: inout ProtoReader) throws(ProtoError) -> JSON {
    var text = ""
    while !reader.isAtEnd {
      let (number, wire) = try reader.readKey(in: "Quantity")
      if number == 1, wire == .lengthDelimited { text = reader.string(try reader.readLengthDelimited()) } else { try reader.skip(wire) }
    }
    return .string(text.isEmpty ? "0" : text)
  }

  /// JSON quantities may be numbers (`cpu: 1`): the apiserver accepts both.
  static func encodeQuantity(_ value: JSON) -> ProtoWriter? {
    let text: String
    switch value {
    case .string(let s): text = s
    case .int(let i): text = String(i)
    case .double(let d): text = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    default: return nil
    }
    var w = ProtoWriter()
    w.stringField(1, text)
    return w
  }

  /// `RawExtension` / `FieldsV1` {raw = 1}: the raw bytes are JSON; none is JSON `null`.
  static func decodeRawJSON(_ reader: inout ProtoReader, field: String) throws(ProtoError) -> JSON {
    var raw: ArraySlice<UInt8> = []
    while !reader.isAtEnd {
      let (number, wire) = try reader.readKey(in: "RawExtension")
      if number == 1, wire == .lengthDelimited { raw = reader.slice(try reader.readLengthDelimited()) } else { try reader.skip(wire) }
    }
    if raw.isEmpty { return .null }
    do { return try JSON.parse(raw) } catch { throw ProtoError(message: "proto: field \(field) does not hold JSON: \(error)") }
  }
}
