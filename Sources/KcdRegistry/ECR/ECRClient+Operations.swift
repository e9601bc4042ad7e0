import KcdJSON

/// The ECR operations kcd uses, one call each, typed. Batch calls report per-image failures
/// (which arrive inside a 200) as an error naming the image and the failure code, unless
/// `throwingOnFailures` is false and the caller looks at `failures` itself.
extension ECRClient {
  /// Manifests by tag or digest, exactly as stored (`BatchGetImage`).
  public func batchGetImage(
    _ repository: ECRRepository, _ ids: [ECRImageID], acceptedMediaTypes: [String] = ManifestMediaType.all, throwingOnFailures: Bool = true
  ) throws(RegistryError) -> ECRBatchGetImageResult {
    var body = base(repository)
    body["imageIds"] = .array(ids.map(\.json))
    if !acceptedMediaTypes.isEmpty { body["acceptedMediaTypes"] = .array(acceptedMediaTypes.map { .string($0) }) }
    let answer = try call("BatchGetImage", repository, .object(body), what: ECRClient.describe(repository, ids))
    let result = ECRBatchGetImageResult(
      images: (answer["images"].arrayValue ?? []).map(ECRImage.init),
      failures: (answer["failures"].arrayValue ?? []).map(ECRImageFailure.init))
    if throwingOnFailures, let failure = result.failures.first { throw failure.error("BatchGetImage", repository) }
    return result
  }

  /// Stores `manifest` (the exact text from `batchGetImage`) under `tag` (`PutImage`).
  /// `digest` guards that ECR stores the manifest we meant. ECR's `ImageAlreadyExistsException`
  /// (this manifest already has this tag) counts as success: re-tagging is idempotent.
  @discardableResult
  public func putImage(
    _ repository: ECRRepository, manifest: String, mediaType: String?, tag: String?, digest: String? = nil
  ) throws(RegistryError) -> ECRImage {
    var body = base(repository)
    body["imageManifest"] = .string(manifest)
    if let mediaType { body["imageManifestMediaType"] = .string(mediaType) }
    if let tag { body["imageTag"] = .string(tag) }
    if let digest { body["imageDigest"] = .string(digest) }
    let id = ECRImageID(tag: tag, digest: digest)
    let answer = try call("PutImage", repository, .object(body), what: "\(repository.name)\(id)", tolerated: ["ImageAlreadyExistsException"])
    return answer.isNull ? ECRImage(id: id, manifest: manifest, mediaType: mediaType) : ECRImage(answer["image"])
  }

  /// Deletes by tag (removes that tag; ECR deletes the image with its last tag) or by digest
  /// (removes the image and all its tags) (`BatchDeleteImage`).
  @discardableResult
  public func batchDeleteImage(_ repository: ECRRepository, _ ids: [ECRImageID], throwingOnFailures: Bool = true) throws(RegistryError) -> ECRBatchDeleteImageResult {
    var body = base(repository)
    body["imageIds"] = .array(ids.map(\.json))
    let answer = try call("BatchDeleteImage", repository, .object(body), what: ECRClient.describe(repository, ids))
    let result = ECRBatchDeleteImageResult(
      deleted: (answer["imageIds"].arrayValue ?? []).map(ECRImageID.init),
      failures: (answer["failures"].arrayValue ?? []).map(ECRImageFailure.init))
    if throwingOnFailures, let failure = result.failures.first { throw failure.error("BatchDeleteImage", repository) }
    return result
  }

  /// One page of image details (`DescribeImages`): of the given images, or of the whole
  /// repository when `ids` is empty (then paginated with `nextToken`). An unknown tag or
  /// digest is an operation error here (`ImageNotFoundException` → `isNotFound`).
  public func describeImages(
    _ repository: ECRRepository, _ ids: [ECRImageID] = [], nextToken: String? = nil, maxResults: Int? = nil
  ) throws(RegistryError) -> ECRDescribeImagesPage {
    var body = base(repository)
    if !ids.isEmpty { body["imageIds"] = .array(ids.map(\.json)) }
    if let nextToken { body["nextToken"] = .string(nextToken) }
    if let maxResults { body["maxResults"] = .int(Int64(maxResults)) }
    let answer = try call("DescribeImages", repository, .object(body), what: ECRClient.describe(repository, ids))
    let token = answer["nextToken"].stringValue
    return ECRDescribeImagesPage(images: (answer["imageDetails"].arrayValue ?? []).map(ECRImageDetail.init), nextToken: token?.isEmpty == true ? nil : token)
  }

  /// Every image of the repository, following `nextToken` (bounded, so a registry that keeps
  /// sending tokens cannot loop us forever).
  public func describeAllImages(_ repository: ECRRepository, pageSize: Int = 1000) throws(RegistryError) -> [ECRImageDetail] {
    var images: [ECRImageDetail] = []
    var token: String?
    var seen: Set<String> = []
    repeat {
      let page = try describeImages(repository, nextToken: token, maxResults: pageSize)
      images += page.images
      token = page.nextToken
      if let t = token, !seen.insert(t).inserted || seen.count > 10_000 {
        throw RegistryError(.badResponse, "ECR DescribeImages for \(repository.name) keeps sending next-page tokens (\(seen.count) pages)")
      }
    } while token != nil
    return images
  }

  /// Basic credentials for the registry's `/v2/` API (`GetAuthorizationToken`), for OCI
  /// calls ECR's own API has no equivalent of (signatures, referrers).
  public func getAuthorizationToken(_ repository: ECRRepository) throws(RegistryError) -> ECRAuthorizationData {
    let answer = try call("GetAuthorizationToken", repository, .object(["registryIds": .array([.string(repository.registryID)])]), what: repository.host)
    guard let first = answer["authorizationData"][0].objectValue.map(JSON.object), let data = ECRAuthorizationData(first) else {
      throw RegistryError(.badResponse, "ECR GetAuthorizationToken for \(repository.host) answered without a usable authorizationToken")
    }
    return data
  }

  func base(_ repository: ECRRepository) -> [String: JSON] {
    ["registryId": .string(repository.registryID), "repositoryName": .string(repository.name)]
  }

  static func describe(_ repository: ECRRepository, _ ids: [ECRImageID]) -> String {
    guard !ids.isEmpty else { return repository.name }
    return repository.name + ids.prefix(3).map(\.description).joined(separator: ", ") + (ids.count > 3 ? ", …" : "")
  }
}
