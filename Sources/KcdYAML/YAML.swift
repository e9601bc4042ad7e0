import KcdJSON

/// Reads the YAML that kubeconfig files, kcd's own configuration and Kubernetes manifests
/// use (YAML 1.2, core schema) into the `JSON` values the rest of kcd already works with.
public enum YAML {
  /// Collections nested deeper than this are refused so hostile input cannot exhaust the stack.
  public static let maximumDepth = 256

  /// The most nodes aliases may copy into one document; stops "billion laughs" input, where a
  /// few lines of nested aliases would otherwise expand to gigabytes once serialised.
  public static let maximumAliasExpansion = 10_000

  /// One document: a stream with exactly one document, or `.null` for an empty stream.
  public static func parse(_ text: String) throws(YAMLError) -> JSON {
    var parser = YAMLParser(text)
    let documents = try parser.parseStream()
    switch documents.count {
    case 0: return .null
    case 1: return documents[0].value
    default:
      throw parser.error("expected a single document but the stream holds more; use parseDocuments", at: documents[1].start)
    }
  }

  /// Every document of a `---`-separated stream, in order (an empty document is `.null`).
  public static func parseDocuments(_ text: String) throws(YAMLError) -> [JSON] {
    var parser = YAMLParser(text)
    return try parser.parseStream().map(\.value)
  }
}

/// Why a text is not YAML kcd accepts, with the 1-based line and column (in characters) where
/// the problem was found, so a user can jump straight to it in their editor.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
  public let line: Int
  public let column: Int
  public let message: String

  public init(line: Int, column: Int, message: String) {
    self.line = line
    self.column = column
    self.message = message
  }

  public var description: String { "line \(line), column \(column): \(message)" }
}
