import KcdCore
import KcdJSON

/// A DSSE envelope (secure-systems-lab/dsse `envelope.md`): signatures are over the
/// pre-authentication encoding of the payload, never over the payload itself.
struct DSSEEnvelope: Sendable {
  static let inTotoType = "application/vnd.in-toto+json"
  static let maximumSignatureText = 4096

  let payloadType: String
  let payload: [UInt8]
  let signatures: [[UInt8]]

  /// `payload` and `sig` may be standard or URL-safe base64 (the protocol allows both).
  init(_ json: JSON, limits: SignatureLimits) throws(CandidateFailure) {
    guard let type = json["payloadType"].stringValue else { throw .rejected("the DSSE envelope has no payloadType") }
    guard let text = json["payload"].stringValue, let payload = Base64.decode(text), !payload.isEmpty else {
      throw .rejected("the DSSE envelope's payload is missing or not base64")
    }
    guard let list = json["signatures"].arrayValue, !list.isEmpty else { throw .rejected("the DSSE envelope has no signatures") }
    guard list.count <= limits.entriesPerSignature else { throw .rejected("the DSSE envelope has more than \(limits.entriesPerSignature) signatures") }
    var signatures: [[UInt8]] = []
    for entry in list {
      guard let sig = entry["sig"].stringValue, sig.utf8.count <= DSSEEnvelope.maximumSignatureText,
            let bytes = Base64.decode(sig), !bytes.isEmpty else {
        throw .rejected("a DSSE signature is missing, not base64, or longer than \(DSSEEnvelope.maximumSignatureText) characters")
      }
      signatures.append(bytes)
    }
    self.payloadType = type
    self.payload = payload
    self.signatures = signatures
  }

  /// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal bytes.
  static func pae(type: String, body: [UInt8]) -> [UInt8] {
    let typeBytes = Array(type.utf8)
    return Array("DSSEv1 \(typeBytes.count) ".utf8) + typeBytes + Array(" \(body.count) ".utf8) + body
  }

  var pae: [UInt8] { DSSEEnvelope.pae(type: payloadType, body: payload) }
}
