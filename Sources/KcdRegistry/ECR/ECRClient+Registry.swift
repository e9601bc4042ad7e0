import KcdCrypto
import KcdHooks

/// The `RegistryClient` seam over ECR's API: `DescribeImages` for reads (the one permission
/// the original kcd's poller had), `BatchGetImage` + `PutImage` for re-tagging,
/// `BatchDeleteImage` for removing a tag.
extension ECRClient {
  /// Tag (or `sha256:` digest) → digest and manifest media type, with `DescribeImages`.
  public func resolve(repository: String, tag: String) throws(RegistryError) -> ResolvedManifest {
    let repo = try ECRRepository(repository: repository)
    let image = try describeOne(repo, ECRClient.imageID(tag))
    guard RepositoryName.isValidDigest(image.digest) else {
      throw RegistryError(.badResponse, "ECR described \(repo.name):\(tag) with digest \"\(AWSErrorBody.printable(image.digest))\", not a sha256 digest")
    }
    return ResolvedManifest(digest: image.digest, mediaType: image.mediaType ?? "")
  }

  /// Every tag of the repository, sorted (ECR has no order of its own).
  public func tags(repository: String) throws(RegistryError) -> [String] {
    let repo = try ECRRepository(repository: repository)
    return Array(Set(try describeAllImages(repo).flatMap(\.tags))).sorted()
  }

  /// The tags on the image tag `version` names: `version` first, then the others sorted.
  public func tags(repository: String, sameDigestAs version: String) throws(RegistryError) -> [String] {
    let repo = try ECRRepository(repository: repository)
    let image = try describeOne(repo, ECRClient.imageID(version))
    return [version] + image.tags.filter { $0 != version }.sorted()
  }

  /// The tags on the image with this digest, sorted: where a KCD finds the tag matching its
  /// `versionSyntax` for a digest a webhook announced.
  public func tags(repository: String, pointingAt digest: String) throws(RegistryError) -> [String] {
    guard RepositoryName.isValidDigest(digest) else { throw RegistryError(.invalidReference, "\"\(digest)\" is not a sha256 digest") }
    let repo = try ECRRepository(repository: repository)
    return try describeOne(repo, .digest(digest)).tags.sorted()
  }

  /// Points each tag at the image of `version`: its manifest text from `BatchGetImage`, put
  /// back unchanged under each tag with the digest as a guard (so the digest cannot change).
  /// Tags that already point there succeed; a tag on another image moves, unless the
  /// repository's tags are immutable (then ECR refuses and the error says so).
  public func addTags(repository: String, version: String, tags: [String]) throws(RegistryError) {
    for tag in tags where !RepositoryName.isValidTag(tag) { throw RegistryError(.invalidReference, "\"\(tag)\" is not a valid tag") }
    let repo = try ECRRepository(repository: repository)
    let source = try manifest(repo, ECRClient.imageID(version))
    for tag in tags {
      try putImage(repo, manifest: source.manifest, mediaType: source.mediaType, tag: tag, digest: source.id.digest)
    }
  }

  /// Removes the tag with `BatchDeleteImage`. The image and its other tags stay; an image
  /// whose last tag this was is deleted by ECR itself.
  public func removeTag(repository: String, tag: String) throws(RegistryError) {
    guard RepositoryName.isValidTag(tag) else { throw RegistryError(.invalidReference, "\"\(tag)\" is not a valid tag") }
    let repo = try ECRRepository(repository: repository)
    try batchDeleteImage(repo, [.tag(tag)])
  }

  /// The manifest of one image, checked against its digest when it is one of the four
  /// manifest types whose digest is the sha256 of the text (schema 1 is not).
  public func manifest(_ repository: ECRRepository, _ id: ECRImageID) throws(RegistryError) -> ECRImage {
    let result = try batchGetImage(repository, [id])
    guard let image = result.images.first, let digest = image.id.digest, !image.manifest.isEmpty else {
      throw RegistryError(.badResponse, "ECR BatchGetImage for \(repository.name)\(id) answered without the image")
    }
    if ManifestMediaType.all.contains(image.mediaType ?? ""), "sha256:" + Digest.hex(Digest.sha256(Array(image.manifest.utf8))) != digest {
      throw RegistryError(.digestMismatch, "ECR sent a manifest for \(repository.name)\(id) whose sha256 is not its digest \(digest)")
    }
    return image
  }

  func describeOne(_ repository: ECRRepository, _ id: ECRImageID) throws(RegistryError) -> ECRImageDetail {
    let page = try describeImages(repository, [id])
    guard page.images.count == 1, let image = page.images.first else {
      throw RegistryError(
        page.images.isEmpty ? .notFound : .badResponse,
        "ECR DescribeImages for \(repository.name)\(id) answered with \(page.images.count) images instead of one")
    }
    return image
  }

  /// A tag, or an image named by its digest.
  static func imageID(_ reference: String) throws(RegistryError) -> ECRImageID {
    if RepositoryName.isValidDigest(reference) { return .digest(reference) }
    guard RepositoryName.isValidTag(reference) else {
      throw RegistryError(.invalidReference, "\"\(reference)\" is neither a valid tag nor a sha256 digest")
    }
    return .tag(reference)
  }
}
