import KcdCrypto
import KcdJSON

/// Shared steps of the registry sources, after authentication.
enum HookParsing {
  /// The body as a JSON object, or 400.
  static func object(_ body: [UInt8], what: String = "body") throws(HookRejection) -> JSON {
    guard let json = try? JSON.parse(body), json.objectValue != nil else { throw .malformed("\(what) is not a JSON object") }
    return json
  }

  /// A delivery id for senders that send none (Docker Hub, Quay): the same body gives the same
  /// id, so a retried delivery is recognised as a duplicate.
  static func bodyID(_ body: [UInt8]) -> String { "sha256:" + Digest.hex(Digest.sha256(body)) }

  /// Validates and normalises one event: repository grammar, tag and digest syntax.
  static func event(
    repository: String, tag: String?, digest: String?, action: ImageEvent.Action, source: String, deliveryID: String, now: Double
  ) throws(HookRejection) -> ImageEvent {
    guard RepositoryName.isValid(repository) else { throw .malformed("not a valid repository name") }
    if let tag, !RepositoryName.isValidTag(tag) { throw .malformed("not a valid tag") }
    if let digest, !RepositoryName.isValidDigest(digest) { throw .malformed("digest must be sha256: followed by 64 hex digits") }
    guard !deliveryID.isEmpty else { throw .malformed("the event has no id") }
    return ImageEvent(repository: RepositoryName.normalize(repository), tag: tag, digest: digest, action: action, source: source,
                      deliveryID: deliveryID, receivedAt: now)
  }

  /// Splits a full image reference `host/path[:tag][@digest]` into its parts.
  static func reference(_ text: String) -> (repository: String, tag: String?, digest: String?) {
    var rest = Substring(text)
    var digest: String?
    if let at = rest.firstIndex(of: "@") {
      digest = String(rest[rest.index(after: at)...])
      rest = rest[..<at]
    }
    var tag: String?
    let lastSlash = rest.lastIndex(of: "/") ?? rest.startIndex
    if let colon = rest[lastSlash...].lastIndex(of: ":") {
      tag = String(rest[rest.index(after: colon)...])
      rest = rest[..<colon]
    }
    return (String(rest), tag, digest)
  }

  /// Whether the first path segment of a reference is a registry host (has a dot or a port, or is localhost).
  static func hasHost(_ reference: String) -> Bool {
    guard let first = reference.split(separator: "/", omittingEmptySubsequences: false).first, reference.contains("/") else { return false }
    return first.contains(".") || first.contains(":") || first == "localhost"
  }

  /// The media type of a Content-Type header, lower-cased, without parameters.
  static func mediaType(_ header: String?) -> String? {
    guard let header else { return nil }
    return String(header.split(separator: ";", maxSplits: 1).first ?? "").trimmingSpaces().lowercased()
  }

  /// The outcome for events that are authentic but ask for nothing.
  static func ignored(_ why: String) -> HookOutcome { .reply(status: 200, message: why) }
}
