/// One message of a Kubernetes `generated.proto`, described for translation to and from the JSON
/// that KubeSim stores: field numbers come from the proto files, names from the JSON encoding.
struct ProtoMessage: Sendable {
  let name: String
  /// In field-number order: gogo writes fields in that order, and so do we.
  let fields: [ProtoField]
  private let indexByNumber: [Int: Int]

  init(_ name: String, _ fields: [ProtoField]) {
    self.name = name
    self.fields = fields.sorted { $0.number < $1.number }
    var index: [Int: Int] = [:]
    for (i, f) in self.fields.enumerated() { index[f.number] = i }
    self.indexByNumber = index
  }

  func field(_ number: Int) -> ProtoField? { indexByNumber[number].map { fields[$0] } }

  /// `XList`: ListMeta and the items, as every list kind of k8s.io/api is laid out.
  static func list(of item: ProtoMessage) -> ProtoMessage {
    ProtoMessage(item.name + "List", [.field(1, "metadata", .message(.listMeta)), .list(2, "items", .message(item))])
  }
}

/// How a value looks on the wire and in JSON. Kubernetes has no proto enums: its enum types
/// (`Protocol`, `RestartPolicy`, …) are strings on the wire as in JSON.
indirect enum ProtoKind: Sendable {
  case string
  /// Bytes on the wire, base64 in JSON (`Secret.data`, `ConfigMap.binaryData`).
  case bytes
  case bool
  /// int32 and int64: both are varints, and JSON numbers either way.
  case int
  /// `metav1.Time` {seconds, nanos}: RFC 3339 in whole seconds in JSON.
  case time
  /// `metav1.MicroTime`: the same message, six fractional digits in JSON.
  case microTime
  /// `intstr.IntOrString` {type, intVal, strVal}: a JSON number or string.
  case intOrString
  /// `resource.Quantity` {string}: its string form in JSON.
  case quantity
  /// A message {raw = 1: bytes} whose bytes are a JSON document (`runtime.RawExtension`,
  /// `metav1.FieldsV1`), embedded in JSON as that document.
  case rawJSON
  case message(ProtoMessage)
  /// `map<string, V>`: repeated {key = 1, value = 2} entries on the wire, an object in JSON.
  case map(ProtoKind)

  /// Scalars that proto2 may pack into one length-delimited run when repeated.
  var isPackable: Bool {
    switch self {
    case .int, .bool: return true
    default: return false
    }
  }
}

/// A field of a message: its number, its JSON name and what it holds.
struct ProtoField: Sendable {
  enum Shape: Sendable {
    /// A zero value read from the wire is left out of the JSON (Go's `omitempty`): gogo writes
    /// every non-pointer field, zero or not, and KubeSim's defaults look for absent fields.
    case omitsZero
    /// A zero value is kept: a Go pointer field, where presence means something (`replicas: 0`),
    /// or a field without `omitempty`.
    case keepsZero
    case repeated
    /// A Go struct embedded with `json:",inline"` (`Volume.volumeSource`, `Probe.handler`): its
    /// fields sit in the enclosing JSON object.
    case inline
  }

  let number: Int
  let name: String
  let kind: ProtoKind
  let shape: Shape

  static func field(_ number: Int, _ name: String, _ kind: ProtoKind) -> ProtoField {
    ProtoField(number: number, name: name, kind: kind, shape: .omitsZero)
  }

  static func kept(_ number: Int, _ name: String, _ kind: ProtoKind) -> ProtoField {
    ProtoField(number: number, name: name, kind: kind, shape: .keepsZero)
  }

  static func list(_ number: Int, _ name: String, _ kind: ProtoKind) -> ProtoField {
    ProtoField(number: number, name: name, kind: kind, shape: .repeated)
  }

  static func inline(_ number: Int, _ name: String, _ message: ProtoMessage) -> ProtoField {
    ProtoField(number: number, name: name, kind: .message(message), shape: .inline)
  }

  /// `metadata` (1: ObjectMeta), the first field of every object kind.
  static let objectMeta = ProtoField.field(1, "metadata", .message(.objectMeta))
}
