/// Why a PATCH body could not be applied; `kind` picks the HTTP status the apiserver would
/// answer with, so handlers can map it without inspecting the message.
public struct PatchError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: Sendable {
    /// The patch itself is invalid (HTTP 400 Bad Request).
    case malformed
    /// The patch is valid but does not apply to this object (HTTP 422 Unprocessable Entity).
    case unprocessable
    /// The patch exceeds a size limit (HTTP 413 Request Entity Too Large).
    case tooLarge
  }

  public let kind: Kind
  public let message: String

  public init(kind: Kind, message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }

  static func malformed(_ message: String) -> PatchError { PatchError(kind: .malformed, message: message) }

  static func unprocessable(_ message: String) -> PatchError { PatchError(kind: .unprocessable, message: message) }
}
