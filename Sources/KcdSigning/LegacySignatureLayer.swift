import KcdCore
import KcdCrypto

/// One layer of a cosign `.sig` manifest: the simple-signing payload blob and its annotations
/// (signature, and for keyless the certificate, chain and Rekor bundle).
enum LegacySignatureLayer {
  static let mediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
  static let signatureKey = "dev.cosignproject.cosign/signature"
  static let certificateKey = "dev.sigstore.cosign/certificate"
  static let chainKey = "dev.sigstore.cosign/chain"
  static let bundleKey = "dev.sigstore.cosign/bundle"
  static let maximumSignatureText = 4096
  static let maximumPEMText = 64 * 1024

  /// Evidence from a layer whose payload has been read (and checked against the layer digest).
  /// Keyless annotations are read only when `keyless`.
  static func evidence(_ layer: OCIDescriptor, payload: [UInt8], keyless: Bool, limits: SignatureLimits) throws(CandidateFailure) -> SignatureEvidence {
    guard let text = layer.annotations[signatureKey], text.utf8.count <= maximumSignatureText,
          let signature = Base64.decode(text), !signature.isEmpty else {
      throw .rejected("the layer has no base64 \(signatureKey) annotation")
    }
    var certificate: Certificate?
    var chain: [Certificate] = []
    var entries: [LogEntry] = []
    if keyless {
      guard let pem = layer.annotations[certificateKey], pem.utf8.count <= maximumPEMText, let leaf = try? Certificate(pem: pem) else {
        throw .rejected("no signing certificate: the layer has no PEM \(certificateKey) annotation")
      }
      certificate = leaf
      if let pem = layer.annotations[chainKey] {
        guard pem.utf8.count <= maximumPEMText, let all = try? Certificate.all(pem: pem), all.count <= limits.chainCertificates else {
          throw .rejected("the \(chainKey) annotation is not a PEM chain of at most \(limits.chainCertificates) certificates")
        }
        chain = all
      }
      if let bundle = layer.annotations[bundleKey] { entries = [try LogEntry(cosignAnnotation: bundle)] }
    }
    return SignatureEvidence(
      message: payload, signatures: [signature], certificate: certificate, chain: chain, logEntries: entries,
      logged: .hashedRekord(sha256Hex: Digest.hex(Digest.sha256(payload))), claim: .simpleSigning(payload))
  }
}
