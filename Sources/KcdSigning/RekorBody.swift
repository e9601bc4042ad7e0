import KcdCore
import KcdCrypto
import KcdJSON

/// What a signature says the log recorded: a hashedrekord entry (the SHA-256 of the signed
/// bytes) or a dsse entry (the SHA-256 of the envelope payload).
enum LoggedContent: Sendable, Equatable {
  case hashedRekord(sha256Hex: String)
  case dsse(payloadSHA256Hex: String)
}

/// Checks that a log entry's body records this very signature: same signed content, same
/// signature bytes, same certificate. Without it a valid SET of any other entry could be
/// attached to a signature that was never logged.
enum RekorBody {
  static func check(_ entry: LogEntry, logged: LoggedContent, signature: [UInt8], certificate: Certificate) throws(CandidateFailure) {
    guard let json = try? JSON.parse(entry.body), json.objectValue != nil else { throw .rejected("the log entry body is not JSON") }
    let kind = json["kind"].stringValue ?? "", version = json["apiVersion"].stringValue ?? ""
    if let declared = entry.kindVersion, declared.kind != kind || declared.version != version {
      throw .rejected("the log entry says \(Excerpt.of(declared.kind)) \(Excerpt.of(declared.version)) but its body is \(Excerpt.of(kind)) \(Excerpt.of(version))")
    }
    let spec = json["spec"]
    switch (logged, kind, version) {
    case (.hashedRekord(let hash), "hashedrekord", "0.0.1"):
      guard spec["data"]["hash"]["algorithm"].stringValue == "sha256", spec["data"]["hash"]["value"].stringValue?.lowercased() == hash else {
        throw .rejected("the log entry records another artifact hash")
      }
      guard decoded(spec["signature"]["content"]) == signature else { throw .rejected("the log entry records another signature") }
      try sameCertificate(spec["signature"]["publicKey"]["content"], certificate)
    case (.dsse(let hash), "dsse", "0.0.1"):
      guard spec["payloadHash"]["algorithm"].stringValue == "sha256", spec["payloadHash"]["value"].stringValue?.lowercased() == hash else {
        throw .rejected("the log entry records another DSSE payload")
      }
      let recorded = (spec["signatures"].arrayValue ?? []).prefix(64)
      guard let match = recorded.first(where: { decoded($0["signature"]) == signature }) else { throw .rejected("the log entry records another signature") }
      try sameCertificate(match["verifier"].isNull ? match["publicKey"] : match["verifier"], certificate)
    default:
      throw .rejected("the log entry is a \(Excerpt.of(kind)) \(Excerpt.of(version)) entry, which does not record this kind of signature")
    }
  }

  static func decoded(_ json: JSON) -> [UInt8]? {
    json.stringValue.flatMap { $0.utf8.count <= 64 * 1024 ? Base64.decode($0) : nil }
  }

  /// The recorded verifier is base64 of a PEM certificate; it must be the signing certificate.
  static func sameCertificate(_ json: JSON, _ certificate: Certificate) throws(CandidateFailure) {
    guard let pem = decoded(json), let recorded = try? Certificate.parse(pem), recorded.fingerprint == certificate.fingerprint else {
      throw .rejected("the log entry records another certificate")
    }
  }
}
