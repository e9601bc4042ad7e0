/// Why a version policy's range or extract pattern cannot be used.
public struct VersionPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
