import KcdRegistry

/// cosign's legacy layout: tag `sha256-<hex>.sig` in the same repository, one
/// simple-signing layer per signature.
extension VerificationRun {
  mutating func legacySignatures() {
    let tag = SHA256Digest.signatureTag(digest)
    let fetched: ManifestContent?
    do { fetched = try fetcher.fetchManifest(repository: repository, reference: tag, maximumBytes: limits.manifestBytes) } catch {
      record("tag \(tag)", CandidateFailure(error, reading: "the signature manifest"))
      return
    }
    guard let fetched else { return }
    let document: OCIDocument
    do { document = try OCIDocument(fetched.bytes, what: "the signature manifest") } catch {
      record("tag \(tag)", error)
      return
    }
    let layers = document.layers.filter { $0.mediaType == LegacySignatureLayer.mediaType }
    guard !layers.isEmpty else {
      record("tag \(tag)", .rejected("the manifest has no \(LegacySignatureLayer.mediaType) layer"))
      return
    }
    for (i, layer) in layers.enumerated() where !isDone {
      consider("cosign signature (tag \(tag), layer \(i + 1))") { (run) throws(CandidateFailure) in
        let payload = try run.blob(layer, what: "the signed payload", maximumBytes: run.limits.payloadBytes)
        return try LegacySignatureLayer.evidence(layer, payload: payload, keyless: run.policy.isKeyless, limits: run.limits)
      }
    }
  }
}
