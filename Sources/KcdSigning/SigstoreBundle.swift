import KcdCore
import KcdCrypto
import KcdJSON

/// A Sigstore bundle (protobuf-specs `Bundle`, v0.2/v0.3) as cosign v3 attaches it to an
/// image: a DSSE envelope over an in-toto Statement, or a message signature over the manifest.
enum SigstoreBundle {
  static let artifactTypes: Set<String> = [
    "application/vnd.dev.sigstore.bundle.v0.3+json", "application/vnd.dev.sigstore.bundle+json;version=0.3",
  ]
  static let mediaTypes: Set<String> = artifactTypes.union([
    "application/vnd.dev.sigstore.bundle.v0.2+json", "application/vnd.dev.sigstore.bundle+json;version=0.2",
  ])

  /// Evidence from bundle bytes. `manifest` supplies the bytes of the deployed manifest, which a
  /// message signature signs (read only for that form).
  static func evidence(_ bytes: [UInt8], keyless: Bool, limits: SignatureLimits, manifest: () throws(CandidateFailure) -> [UInt8]) throws(CandidateFailure) -> SignatureEvidence {
    guard let json = try? JSON.parse(bytes), json.objectValue != nil else { throw .rejected("the bundle is not a JSON object") }
    guard let mediaType = json["mediaType"].stringValue, mediaTypes.contains(mediaType) else {
      throw .rejected("the bundle's mediaType is not a Sigstore bundle v0.2/v0.3")
    }
    let material = json["verificationMaterial"]
    let (certificate, chain) = keyless ? try certificates(material, limits: limits) : (nil, [])
    var entries: [LogEntry] = []
    if keyless {
      let list = material["tlogEntries"].arrayValue ?? []
      guard list.count <= limits.entriesPerSignature else { throw .rejected("the bundle has more than \(limits.entriesPerSignature) transparency-log entries") }
      entries = try list.map { (entry) throws(CandidateFailure) in try LogEntry(bundleEntry: entry) }
    }
    if !json["dsseEnvelope"].isNull {
      let envelope = try DSSEEnvelope(json["dsseEnvelope"], limits: limits)
      guard envelope.payloadType == DSSEEnvelope.inTotoType else {
        throw .rejected("the DSSE payloadType is \"\(Excerpt.of(envelope.payloadType))\", not \(DSSEEnvelope.inTotoType)")
      }
      return SignatureEvidence(
        message: envelope.pae, signatures: envelope.signatures, certificate: certificate, chain: chain, logEntries: entries,
        logged: .dsse(payloadSHA256Hex: Digest.hex(Digest.sha256(envelope.payload))), claim: .inToto(envelope.payload))
    }
    let message = json["messageSignature"]
    guard !message.isNull else { throw .rejected("the bundle has neither a dsseEnvelope nor a messageSignature") }
    guard let text = message["signature"].stringValue, text.utf8.count <= DSSEEnvelope.maximumSignatureText,
          let signature = Base64.decode(text), !signature.isEmpty,
          let algorithm = message["messageDigest"]["algorithm"].stringValue,
          let digest = message["messageDigest"]["digest"].stringValue.flatMap(Base64.decode) else {
      throw .rejected("the bundle's messageSignature lacks a base64 signature or messageDigest")
    }
    let claim = DigestClaim.messageDigest(algorithm: algorithm, digest: digest)
    let signed = try manifest()
    return SignatureEvidence(
      message: signed, signatures: [signature], certificate: certificate, chain: chain, logEntries: entries,
      logged: .hashedRekord(sha256Hex: Digest.hex(Digest.sha256(signed))), claim: claim)
  }

  /// The leaf from `certificate.rawBytes` (v0.3) or the first of `x509CertificateChain` (v0.2,
  /// the rest then untrusted chain material).
  static func certificates(_ material: JSON, limits: SignatureLimits) throws(CandidateFailure) -> (Certificate?, [Certificate]) {
    if let raw = material["certificate"]["rawBytes"].stringValue {
      guard let der = Base64.decode(raw), let leaf = try? Certificate(der: der) else { throw .rejected("the bundle's certificate is not base64 DER") }
      return (leaf, [])
    }
    let list = material["x509CertificateChain"]["certificates"].arrayValue ?? []
    guard !list.isEmpty else { throw .rejected("no signing certificate: the bundle has no certificate or x509CertificateChain") }
    guard list.count <= limits.chainCertificates else { throw .rejected("the bundle's certificate chain is longer than \(limits.chainCertificates)") }
    var all: [Certificate] = []
    for entry in list {
      guard let der = entry["rawBytes"].stringValue.flatMap(Base64.decode), let certificate = try? Certificate(der: der) else {
        throw .rejected("the bundle's certificate chain holds something that is not base64 DER")
      }
      all.append(certificate)
    }
    return (all[0], Array(all.dropFirst()))
  }
}
