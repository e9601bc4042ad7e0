import KcdCore
import KcdCrypto
import KcdJSON

/// One transparency-log (Rekor) entry as a signature carries it: the canonicalized body, where
/// it sits in the log, and the log's signed promise to include it (the SET).
struct LogEntry: Sendable {
  /// The body exactly as the SET covers it (base64 text) and decoded.
  let bodyText: String
  let body: [UInt8]
  let integratedTime: Int64
  let logIndex: Int64
  /// Lower-case hex SHA-256 of the log's public key.
  let logID: String
  /// Nil when the entry carries no inclusion promise (an inclusion proof alone is not a SET).
  let signedEntryTimestamp: [UInt8]?
  /// The bundle's `kindVersion` (kind, version), which must agree with the body.
  let kindVersion: (kind: String, version: String)?

  static let maximumText = 64 * 1024

  /// The SET is an ECDSA signature over this canonical JSON (RFC 8785: keys sorted, no space):
  /// `{"body":…,"integratedTime":…,"logID":…,"logIndex":…}`.
  static func canonicalPayload(bodyText: String, integratedTime: Int64, logID: String, logIndex: Int64) -> [UInt8] {
    var out: [UInt8] = Array(#"{"body":"#.utf8)
    JSON.writeString(bodyText, into: &out)
    out += Array(#","integratedTime":\#(integratedTime),"logID":"#.utf8)
    JSON.writeString(logID, into: &out)
    out += Array(#","logIndex":\#(logIndex)}"#.utf8)
    return out
  }

  var canonicalPayload: [UInt8] {
    LogEntry.canonicalPayload(bodyText: bodyText, integratedTime: integratedTime, logID: logID, logIndex: logIndex)
  }

  /// cosign's legacy `dev.sigstore.cosign/bundle` annotation:
  /// `{"SignedEntryTimestamp": b64, "Payload": {"body": b64, "integratedTime", "logIndex", "logID": hex}}`.
  /// The body text is kept as written, since the SET covers it as written.
  init(cosignAnnotation text: String) throws(CandidateFailure) {
    guard text.utf8.count <= LogEntry.maximumText, let json = try? JSON.parse(text), json.objectValue != nil else {
      throw .rejected("the dev.sigstore.cosign/bundle annotation is not a JSON object of at most \(LogEntry.maximumText) bytes")
    }
    let payload = json["Payload"]
    guard let bodyText = payload["body"].stringValue, LogEntry.isBase64Text(bodyText), let body = Base64.decode(bodyText),
          case .int(let time) = payload["integratedTime"], case .int(let index) = payload["logIndex"],
          let logID = payload["logID"].stringValue, !logID.isEmpty, logID.utf8.count <= 128 else {
      throw .rejected("the dev.sigstore.cosign/bundle annotation lacks Payload.body, integratedTime, logIndex or logID")
    }
    let set = json["SignedEntryTimestamp"].stringValue.flatMap(Base64.decode).flatMap { $0.isEmpty ? nil : $0 }
    self.init(bodyText: bodyText, body: body, integratedTime: time, logIndex: index, logID: logID, signedEntryTimestamp: set, kindVersion: nil)
  }

  /// A bundle's `verificationMaterial.tlogEntries[i]` (protobuf JSON: 64-bit integers may be
  /// strings, bytes are base64).
  init(bundleEntry json: JSON) throws(CandidateFailure) {
    guard let bodyText = json["canonicalizedBody"].stringValue, bodyText.utf8.count <= LogEntry.maximumText,
          let body = Base64.decode(bodyText), !body.isEmpty,
          let time = LogEntry.int64(json["integratedTime"]), let index = LogEntry.int64(json["logIndex"]),
          let keyID = json["logId"]["keyId"].stringValue.flatMap(Base64.decode), keyID.count == 32,
          let kind = json["kindVersion"]["kind"].stringValue, let version = json["kindVersion"]["version"].stringValue else {
      throw .rejected("a transparency-log entry of the bundle lacks canonicalizedBody, integratedTime, logIndex, logId or kindVersion")
    }
    let set = json["inclusionPromise"]["signedEntryTimestamp"].stringValue.flatMap(Base64.decode).flatMap { $0.isEmpty ? nil : $0 }
    // The SET covers the body as Rekor returned it: standard padded base64 of the bytes.
    self.init(bodyText: Base64.encode(body), body: body, integratedTime: time, logIndex: index, logID: Digest.hex(keyID),
              signedEntryTimestamp: set, kindVersion: (kind, version))
  }

  init(bodyText: String, body: [UInt8], integratedTime: Int64, logIndex: Int64, logID: String, signedEntryTimestamp: [UInt8]?, kindVersion: (kind: String, version: String)?) {
    self.bodyText = bodyText
    self.body = body
    self.integratedTime = integratedTime
    self.logIndex = logIndex
    self.logID = logID
    self.signedEntryTimestamp = signedEntryTimestamp
    self.kindVersion = kindVersion
  }

  /// A protobuf-JSON int64: a number or a decimal string, not negative.
  static func int64(_ json: JSON) -> Int64? {
    switch json {
    case .int(let value): return value >= 0 ? value : nil
    case .string(let text):
      guard !text.isEmpty, text.utf8.count <= 19, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
      return Int64(text)
    default: return nil
    }
  }

  /// Standard base64 characters only, so writing the text back into JSON needs no escapes.
  static func isBase64Text(_ text: String) -> Bool {
    !text.isEmpty && text.utf8.allSatisfy { c in
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 43 || c == 47 || c == 61
    }
  }
}
