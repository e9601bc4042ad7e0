extension JSON {
  /// Compact UTF-8 encoding with object members in sorted order, so the same value always
  /// produces the same bytes (stable test output, stable hashes of pod templates).
  public func serialized() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(into: &out)
    return out
  }

  /// The compact encoding as a string.
  public var text: String { String(decoding: serialized(), as: UTF8.self) }

  public func write(into out: inout [UInt8]) {
    switch self {
    case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
    case .bool(true): out.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
    case .bool(false): out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
    case .int(let i): out.append(contentsOf: String(i).utf8)
    case .double(let d):
      if d.isFinite {
        if d.rounded() == d, abs(d) < 1e15 { out.append(contentsOf: String(Int64(d)).utf8) } else { out.append(contentsOf: String(d).utf8) }
      } else {
        out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
      }
    case .string(let s): JSON.writeString(s, into: &out)
    case .array(let a):
      out.append(UInt8(ascii: "["))
      for (i, element) in a.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        element.write(into: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let o):
      out.append(UInt8(ascii: "{"))
      var first = true
      for key in o.keys.sorted() {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        JSON.writeString(key, into: &out)
        out.append(UInt8(ascii: ":"))
        o[key]!.write(into: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  public static func writeString(_ s: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for c in s.utf8 {
      switch c {
      case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
      case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
      case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
      case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
      case 0..<0x20:
        out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
        out.append(hexDigits[Int(c >> 4)])
        out.append(hexDigits[Int(c & 0xF)])
      default: out.append(c)
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}

extension JSON: CustomStringConvertible {
  public var description: String { text }
}
