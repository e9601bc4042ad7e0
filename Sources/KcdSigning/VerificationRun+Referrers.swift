/// cosign v3's layout: Sigstore bundles attached as OCI 1.1 referrers, listed by the referrers
/// API or, where a registry has none, by the referrers tag `sha256-<hex>`.
extension VerificationRun {
  mutating func referrerBundles() {
    let listing: [UInt8]
    let source: String
    do {
      if let index = try fetcher.fetchReferrers(repository: repository, digest: digest, artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json", maximumBytes: limits.manifestBytes) {
        (listing, source) = (index, "referrers API")
      } else if let tagged = try fetcher.fetchManifest(repository: repository, reference: SHA256Digest.referrersTag(digest), maximumBytes: limits.manifestBytes) {
        (listing, source) = (tagged.bytes, "tag \(SHA256Digest.referrersTag(digest))")
      } else {
        return
      }
    } catch {
      record("referrers", CandidateFailure(error, reading: "the referrers of the image"))
      return
    }
    let index: OCIDocument
    do { index = try OCIDocument(listing, what: "the referrers index") } catch {
      record(source, error)
      return
    }
    let bundles = index.manifests.prefix(limits.referrers).filter { SigstoreBundle.artifactTypes.contains($0.artifactType ?? "") }
    for descriptor in bundles where !isDone {
      consider("Sigstore bundle (\(source), referrer \(Excerpt.digest(descriptor.digest)))") { (run) throws(CandidateFailure) in
        try run.bundleEvidence(descriptor)
      }
    }
  }

  /// The referrer manifest must be a bundle artifact whose subject is the deployed digest; its
  /// first layer is the bundle.
  mutating func bundleEvidence(_ descriptor: OCIDescriptor) throws(CandidateFailure) -> SignatureEvidence {
    guard let bytes = try manifest(digest: descriptor.digest, what: "the referrer manifest") else {
      throw .rejected("the referrer manifest is missing from the registry")
    }
    let document = try OCIDocument(bytes, what: "the referrer manifest")
    guard SigstoreBundle.artifactTypes.contains(document.artifactType ?? document.configMediaType ?? "") else {
      throw .rejected("the referrer manifest is not a Sigstore bundle artifact")
    }
    guard let subject = document.subject?.digest, subject == digest else {
      throw .rejected("the referrer manifest's subject is \(Excerpt.digest(document.subject?.digest ?? "missing")), not \(Excerpt.digest(digest))")
    }
    guard let layer = document.layers.first, SigstoreBundle.mediaTypes.contains(layer.mediaType) else {
      throw .rejected("the referrer manifest has no Sigstore bundle layer")
    }
    let bundle = try blob(layer, what: "the bundle", maximumBytes: limits.bundleBytes)
    return try SigstoreBundle.evidence(bundle, keyless: policy.isKeyless, limits: limits) { () throws(CandidateFailure) in
      try self.deployedManifest()
    }
  }
}
