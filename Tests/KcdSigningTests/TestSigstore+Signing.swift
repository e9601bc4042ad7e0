import KcdCore
import KcdCrypto

/// Keyless signatures as cosign makes them, with this Sigstore's log promising the entry.
extension TestSigstore {
  typealias Leaf = (key: OpenSSLWorkshop.Key, certificate: OpenSSLWorkshop.CertificateFile)

  /// What the log entry carries: a good SET, none, or one signed with another key.
  enum Promise {
    case valid
    case missing
    case signedBy(OpenSSLWorkshop.Key)
  }

  func promise(_ promise: Promise, body: [UInt8], integratedTime: Int64, logIndex: Int64) throws -> [UInt8]? {
    switch promise {
    case .valid: return try signedEntryTimestamp(body: body, integratedTime: integratedTime, logIndex: logIndex)
    case .missing: return nil
    case .signedBy(let key): return try signedEntryTimestamp(body: body, integratedTime: integratedTime, logIndex: logIndex, key: key)
    }
  }

  /// A v0.3 bundle: DSSE over a statement naming `statementDigest` (default `digest`), signed
  /// by `leaf`, logged as a dsse entry in this log.
  func dsseBundle(digest: String, leaf: Leaf, integratedTime: Int64, logIndex: Int64 = 7, promise: Promise = .valid, statementDigest: String? = nil) throws -> [UInt8] {
    let statement = SignatureArtifacts.statement(digest: statementDigest ?? digest)
    let signature = try workshop.sign(SignatureArtifacts.pae("application/vnd.in-toto+json", statement), with: leaf.key)
    let body = SignatureArtifacts.dsseBody(payload: statement, signature: signature, certificatePEM: leaf.certificate.pem)
    let set = try self.promise(promise, body: body, integratedTime: integratedTime, logIndex: logIndex)
    let entry = SignatureArtifacts.tlogEntry(kind: "dsse", body: body, integratedTime: integratedTime, logIndex: logIndex, logID: logID, set: set)
    return SignatureArtifacts.dsseBundle(statement: statement, signature: signature, certificate: leaf.certificate.der, tlogEntries: [entry])
  }

  /// A legacy `.sig` layer signed by `leaf`: certificate, chain and Rekor bundle annotations.
  func legacyLayer(digest: String, leaf: Leaf, integratedTime: Int64, logIndex: Int64 = 9, promise: Promise = .valid) throws -> (payload: [UInt8], annotations: [String: String]) {
    let payload = SignatureArtifacts.simpleSigningPayload(digest: digest)
    let signature = try workshop.sign(payload, with: leaf.key)
    var annotations = [
      "dev.cosignproject.cosign/signature": Base64.encode(signature),
      "dev.sigstore.cosign/certificate": leaf.certificate.pem,
      "dev.sigstore.cosign/chain": intermediate.pem + root.pem,
    ]
    let body = SignatureArtifacts.hashedRekordBody(artifact: payload, signature: signature, certificatePEM: leaf.certificate.pem)
    if let set = try self.promise(promise, body: body, integratedTime: integratedTime, logIndex: logIndex) {
      annotations["dev.sigstore.cosign/bundle"] = SignatureArtifacts.cosignBundleAnnotation(body: body, integratedTime: integratedTime, logIndex: logIndex, logID: logID, set: set)
    }
    return (payload, annotations)
  }
}
