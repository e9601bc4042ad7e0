/// Asks a registry what a tag points at. The controller uses it to confirm registry events
/// ("the payload is a claim") and to poll; KcdServer plugs in the real registry clients.
/// `namespace` is the KCD's: credentials come from that namespace's pull secrets only.
public protocol ImageResolver: Sendable {
  /// The digest the tag points at now.
  func digest(repository: String, tag: String, namespace: String) throws -> String
  /// Tags of the repository that point at `digest` (to find the version name), when the
  /// registry can say cheaply; nil when it cannot.
  func tags(repository: String, pointingAt digest: String, namespace: String) -> [String]?
  /// Every tag of the repository (stream mode picks the newest version among them).
  func tags(repository: String, namespace: String) throws -> [String]
}
