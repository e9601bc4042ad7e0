import KcdJSON

/// The `openAPIV3Schema` of one CustomResourceDefinition version, read once and checked to be
/// structural, so the server can default, prune and validate custom objects as the apiserver does.
public struct StructuralSchema: Sendable {
  let root: Node

  /// Refuses non-structural schemas. `path` prefixes error messages, e.g.
  /// `spec.versions[0].schema.openAPIV3Schema`.
  public init(_ schema: JSON, path: String = "openAPIV3Schema") throws(SchemaError) {
    var reader = Reader()
    let root = reader.node(schema, path: path, level: .root, depth: 0)
    reader.checkRootMetadata(schema, path: path)
    if !reader.problems.isEmpty { throw SchemaError(reader.problems) }
    self.root = root
  }
}

/// Every reason a schema is not structural, worded like the apiserver's CRD validation.
public struct SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Each `path: Type: detail`, in schema order, e.g.
  /// `openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields`.
  public let problems: [String]

  public init(_ problems: [String]) { self.problems = problems }

  /// One problem alone, several as Go's aggregate error `[a, b]`.
  public var description: String {
    problems.count == 1 ? problems[0] : "[" + problems.joined(separator: ", ") + "]"
  }
}

extension StructuralSchema {
  /// One schema node with its keywords already decoded.
  struct Node: Sendable {
    var type: String?
    var properties: [String: Node] = [:]
    /// Zero or one element: a struct cannot hold an optional of its own type.
    var itemSchemas: [Node] = []
    var additionalPropertySchemas: [Node] = []
    /// `additionalProperties: true`: any key, any value, kept as is.
    var allowsAnyAdditionalProperties = false
    var required: [String] = []
    var enumValues: [JSON]?
    var defaultValue: JSON?
    var nullable = false
    var minimum: Double?
    var maximum: Double?
    var exclusiveMinimum = false
    var exclusiveMaximum = false
    var multipleOf: Double?
    var minLength: Int64?
    var maxLength: Int64?
    var minItems: Int64?
    var maxItems: Int64?
    var minProperties: Int64?
    var maxProperties: Int64?
    /// Only patterns Swift `Regex` can compile; others are skipped rather than refused.
    var pattern: String?
    var format: String?
    var intOrString = false
    var preservesUnknownFields = false
    var embeddedResource = false

    var items: Node? { itemSchemas.first }
    var additionalProperties: Node? { additionalPropertySchemas.first }

    /// Whether the object is a Kubernetes object whose `apiVersion`, `kind` and `metadata`
    /// belong to the server rather than to this schema.
    func ownsMetaFields(isResourceRoot: Bool) -> Bool { !(isResourceRoot || embeddedResource) }

    static let metaFields: Set<String> = ["apiVersion", "kind", "metadata"]
  }
}
