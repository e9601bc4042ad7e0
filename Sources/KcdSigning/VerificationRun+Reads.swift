import KcdRegistry

/// Registry reads with the checks every read gets: bounded size, and the digest recomputed
/// here whatever the fetcher did.
extension VerificationRun {
  /// A blob named by a descriptor: its size and SHA-256 must be the descriptor's.
  func blob(_ descriptor: OCIDescriptor, what: String, maximumBytes: Int) throws(CandidateFailure) -> [UInt8] {
    guard descriptor.size <= Int64(maximumBytes) else { throw .rejected("\(what) is \(descriptor.size) bytes, more than the limit of \(maximumBytes)") }
    let fetched: [UInt8]?
    do { fetched = try fetcher.fetchBlob(repository: repository, digest: descriptor.digest, maximumBytes: maximumBytes) } catch {
      throw CandidateFailure(error, reading: what)
    }
    guard let bytes = fetched else { throw .rejected("\(what) (\(Excerpt.digest(descriptor.digest))) is missing from the registry") }
    guard SHA256Digest.of(bytes) == descriptor.digest, Int64(bytes.count) == descriptor.size else {
      throw .rejected("\(what) does not match its digest or size \(Excerpt.digest(descriptor.digest))")
    }
    return bytes
  }

  /// A manifest by digest, checked against it; nil when the registry says it does not exist.
  func manifest(digest wanted: String, what: String) throws(CandidateFailure) -> [UInt8]? {
    let fetched: ManifestContent?
    do { fetched = try fetcher.fetchManifest(repository: repository, reference: wanted, maximumBytes: limits.manifestBytes) } catch {
      throw CandidateFailure(error, reading: what)
    }
    guard let fetched else { return nil }
    guard SHA256Digest.of(fetched.bytes) == wanted else { throw .rejected("\(what) does not match its digest \(Excerpt.digest(wanted))") }
    return fetched.bytes
  }

  /// The manifest being deployed, read once (a message signature signs its bytes).
  mutating func deployedManifest() throws(CandidateFailure) -> [UInt8] {
    if let manifestBytes { return manifestBytes }
    guard let bytes = try manifest(digest: digest, what: "the deployed manifest") else {
      throw .rejected("the deployed manifest \(Excerpt.digest(digest)) is not in the repository")
    }
    manifestBytes = bytes
    return bytes
  }
}
