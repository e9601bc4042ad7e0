import KcdCore
import KcdJSON

/// cosign's legacy payload ("simple signing", containers-signature(5)): what binds a `.sig`
/// signature to one image. cosign reads it with Go's case-insensitive key matching, so keys are
/// matched without regard to ASCII case here too — and two keys that differ only in case are
/// refused, since which one Go would keep depends on document order.
enum SimpleSigningPayload {
  static let type = "cosign container image signature"

  /// Requires `critical.type` and `critical.image.docker-manifest-digest == digest`.
  static func check(_ payload: [UInt8], digest: String) throws(CandidateFailure) {
    guard let json = try? JSON.parse(payload), json.objectValue != nil else { throw .rejected("the signed payload is not a JSON object") }
    let critical = try member(json, "critical")
    let type = try member(critical, "type").stringValue
    guard type == SimpleSigningPayload.type else {
      throw .rejected("the signed payload's critical.type is \(type.map { "\"\(Excerpt.of($0))\"" } ?? "missing"), not \"\(SimpleSigningPayload.type)\"")
    }
    guard let signed = try member(try member(critical, "image"), "docker-manifest-digest").stringValue else {
      throw .rejected("the signed payload has no critical.image.docker-manifest-digest")
    }
    guard signed == digest else { throw .rejected("signed another digest: the payload names \(Excerpt.digest(Excerpt.of(signed, limit: 80))), not \(Excerpt.digest(digest))") }
  }

  /// The member whose key equals `name` ignoring ASCII case; `.null` when there is none.
  static func member(_ object: JSON, _ name: String) throws(CandidateFailure) -> JSON {
    let wanted = name.lowercased()
    let matches = (object.objectValue ?? [:]).filter { ASCII.lowercased($0.key) == wanted }
    guard matches.count <= 1 else { throw .rejected("the signed payload has \(matches.count) keys spelled \"\(name)\" in different cases") }
    return matches.first?.value ?? .null
  }
}
