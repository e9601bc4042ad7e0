import KcdCore

/// cosign-style signatures with a static key, made by openssl.
extension OpenSSLWorkshop {
  /// A legacy `.sig` layer: the simple-signing payload naming `digest`, signed by `key`.
  func legacyLayer(naming digest: String, key: Key, type: String = "cosign container image signature") throws -> (payload: [UInt8], annotations: [String: String]) {
    let payload = SignatureArtifacts.simpleSigningPayload(digest: digest, type: type)
    return (payload, ["dev.cosignproject.cosign/signature": Base64.encode(try sign(payload, with: key))])
  }

  /// A v0.3 bundle: DSSE over a statement naming `digest`, signed by `key` over the PAE (or,
  /// wrongly, over the bare payload).
  func dsseBundle(naming digest: String, key: Key, overPAE: Bool = true) throws -> [UInt8] {
    let statement = SignatureArtifacts.statement(digest: digest)
    let signed = overPAE ? SignatureArtifacts.pae("application/vnd.in-toto+json", statement) : statement
    return SignatureArtifacts.dsseBundle(statement: statement, signature: try sign(signed, with: key))
  }
}
