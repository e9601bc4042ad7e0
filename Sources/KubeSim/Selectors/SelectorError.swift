/// Why a label or field selector was refused; `message` is worded like the apiserver's so
/// clients (kubectl, the Python client) show users the text they already know.
public struct SelectorError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}
