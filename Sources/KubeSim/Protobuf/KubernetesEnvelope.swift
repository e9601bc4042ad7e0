/// The wrapper of every protobuf body the apiserver reads or writes: the magic `k8s\0`, then a
/// `runtime.Unknown` {typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3,
/// contentType = 4}, where `raw` is the object's own message (apimachinery's protobuf serializer).
struct KubernetesEnvelope: Equatable, Sendable {
  static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

  var apiVersion: String
  var kind: String
  var raw: [UInt8]
  var contentEncoding = ""
  var contentType = ""

  init(apiVersion: String, kind: String, raw: [UInt8]) {
    self.apiVersion = apiVersion
    self.kind = kind
    self.raw = raw
  }

  /// Errors carry the serializer's own texts ("provided data does not appear to be …").
  init(decoding body: [UInt8]) throws(ProtoError) {
    if body.isEmpty { throw ProtoError(message: "empty data") }
    guard body.starts(with: Self.magic) else {
      throw ProtoError(message: "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")
    }
    if body.count == Self.magic.count { throw ProtoError(message: "empty body") }
    self.init(apiVersion: "", kind: "", raw: [])
    var reader = ProtoReader(body, Self.magic.count..<body.count)
    while !reader.isAtEnd {
      let (number, wire) = try reader.readKey(in: "Unknown")
      guard wire == .lengthDelimited, (1...4).contains(number) else {
        if (1...4).contains(number) { throw .wrongWireType(wire, field: ["TypeMeta", "Raw", "ContentEncoding", "ContentType"][number - 1]) }
        try reader.skip(wire)
        continue
      }
      let window = try reader.readLengthDelimited()
      switch number {
      case 1: try readTypeMeta(ProtoReader(body, window))
      case 2: raw = Array(reader.slice(window))
      case 3: contentEncoding = reader.string(window)
      default: contentType = reader.string(window)
      }
    }
  }

  private mutating func readTypeMeta(_ typeMeta: ProtoReader) throws(ProtoError) {
    var reader = typeMeta
    while !reader.isAtEnd {
      let (number, wire) = try reader.readKey(in: "TypeMeta")
      guard wire == .lengthDelimited, number == 1 || number == 2 else {
        if number == 1 || number == 2 { throw .wrongWireType(wire, field: number == 1 ? "APIVersion" : "Kind") }
        try reader.skip(wire)
        continue
      }
      let text = reader.string(try reader.readLengthDelimited())
      if number == 1 { apiVersion = text } else { kind = text }
    }
  }

  /// Every field written, empty or not, as gogo does.
  var encoded: [UInt8] {
    var typeMeta = ProtoWriter()
    typeMeta.stringField(1, apiVersion)
    typeMeta.stringField(2, kind)
    var unknown = ProtoWriter()
    unknown.messageField(1, typeMeta)
    unknown.bytesField(2, raw)
    unknown.stringField(3, contentEncoding)
    unknown.stringField(4, contentType)
    return Self.magic + unknown.bytes
  }
}
