import KcdRegistry

/// kcd's distribution-API client reads signatures with its own auth, token cache, rate limit
/// and retry handling (ECR repositories through `ECRArtifactFetcher`, which uses this client too).
extension OCIRegistryClient: ArtifactFetcher {
  public func fetchManifest(repository: String, reference: String, maximumBytes: Int) throws(ArtifactFetchError) -> ManifestContent? {
    do {
      return try manifest(repository: repository, reference: reference, maximumBytes: maximumBytes)
    } catch {
      return try OCIRegistryClient.absent(error)
    }
  }

  public func fetchBlob(repository: String, digest: String, maximumBytes: Int) throws(ArtifactFetchError) -> [UInt8]? {
    do {
      return try blob(repository: repository, digest: digest, maximumBytes: maximumBytes)
    } catch {
      return try OCIRegistryClient.absent(error)
    }
  }

  public func fetchReferrers(repository: String, digest: String, artifactType: String?, maximumBytes: Int) throws(ArtifactFetchError) -> [UInt8]? {
    do {
      return try referrers(repository: repository, digest: digest, artifactType: artifactType, maximumBytes: maximumBytes)
    } catch {
      throw OCIRegistryClient.fetchError(error)
    }
  }

  /// Nil for "not found"; every other failure rethrown as a fetch error.
  static func absent<T>(_ error: RegistryError) throws(ArtifactFetchError) -> T? {
    guard error.isNotFound else { throw fetchError(error) }
    return nil
  }

  static func fetchError(_ error: RegistryError) -> ArtifactFetchError {
    let transient = error.isTemporary || error.isUnauthorized || error.isDenied
    return ArtifactFetchError(transient ? .unavailable : .invalid, error.message)
  }
}
