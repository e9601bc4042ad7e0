import KcdCore
import KcdHTTP
import KcdTestSupport

/// Pushes blobs and manifests to a `DistributionRegistry` with plain distribution-API calls
/// (POST + PUT for blobs, PUT for manifests), for artifacts skopeo does not write: cosign's
/// signature manifests, bundle referrers, the referrers tag.
struct RegistryUpload {
  let registry: DistributionRegistry
  let repository: String
  let http = HTTPClient()

  init(_ registry: DistributionRegistry, repository: String = "team/app") {
    self.registry = registry
    self.repository = repository
  }

  var base: String { "http://\(registry.host)" }

  func request(_ method: String, _ url: String, contentType: String? = nil, body: [UInt8]? = nil) throws -> HTTPClientResponse {
    var request = HTTPClientRequest(method: method, url: url, body: body)
    request.headers.set("Authorization", "Basic " + Base64.encode(Array(registry.credentials.utf8)))
    if let contentType { request.headers.set("Content-Type", contentType) }
    return try http.send(request)
  }

  func blob(_ bytes: [UInt8]) throws {
    let start = try request("POST", "\(base)/v2/\(repository)/blobs/uploads/")
    guard start.status == 202, var location = start.headers["Location"] else { throw TestFailure("blob upload did not start: \(start.status) \(start.text)") }
    if location.hasPrefix("/") { location = base + location }
    location += (location.contains("?") ? "&" : "?") + "digest=" + sha256(bytes)
    let done = try request("PUT", location, contentType: "application/octet-stream", body: bytes)
    guard done.status == 201 else { throw TestFailure("blob upload failed: \(done.status) \(done.text)") }
  }

  func manifest(_ bytes: [UInt8], reference: String, mediaType: String = "application/vnd.oci.image.manifest.v1+json") throws {
    let r = try request("PUT", "\(base)/v2/\(repository)/manifests/\(reference)", contentType: mediaType, body: bytes)
    guard r.status == 201 else { throw TestFailure("manifest \(reference) was refused: \(r.status) \(r.text)") }
  }

  /// A legacy signature manifest and its blobs under `sha256-<hex>.sig` of `digest`.
  func legacySignatures(_ signed: (manifest: [UInt8], blobs: [[UInt8]]), for digest: String) throws {
    for item in signed.blobs { try self.blob(item) }
    try manifest(signed.manifest, reference: "sha256-\(digest.dropFirst(7)).sig")
  }

  /// A bundle referrer of `digest` and the referrers tag listing it (Distribution 2.8 has no
  /// referrers API, so clients keep `sha256-<hex>` themselves). Returns the referrer manifest.
  @discardableResult
  func bundleReferrer(_ bundle: [UInt8], for digest: String, subjectSize: Int, subjectType: String, alsoListed: [[UInt8]] = []) throws -> [UInt8] {
    try blob(SignatureArtifacts.emptyConfig)
    try blob(bundle)
    let referrer = SignatureArtifacts.bundleManifest(bundle: bundle, subject: digest, subjectSize: subjectSize, subjectType: subjectType)
    try manifest(referrer, reference: sha256(referrer))
    let listed = alsoListed.map { (bytes: $0, artifactType: SignatureArtifacts.bundleType) } + [(bytes: referrer, artifactType: SignatureArtifacts.bundleType)]
    try manifest(SignatureArtifacts.referrersIndex(listed), reference: "sha256-\(digest.dropFirst(7))", mediaType: "application/vnd.oci.image.index.v1+json")
    return referrer
  }
}
