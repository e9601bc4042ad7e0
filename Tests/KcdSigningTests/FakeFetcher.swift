import KcdRegistry
import KcdSigning
import KcdTestSupport
import Synchronization

/// An in-memory registry for what docker-registry cannot show: a referrers API, failures
/// mid-way, hostile documents. Records every read.
final class FakeFetcher: ArtifactFetcher, @unchecked Sendable {
  var manifests: [String: [UInt8]] = [:]
  var blobs: [String: [UInt8]] = [:]
  /// Nil: no referrers API (the verifier falls back to the referrers tag).
  var referrers: [String: [UInt8]]?
  /// Reads that fail: reference or digest → error.
  var failures: [String: ArtifactFetchError] = [:]
  let reads = Mutex<[String]>([])

  func fetchManifest(repository: String, reference: String, maximumBytes: Int) throws(ArtifactFetchError) -> ManifestContent? {
    reads.withLock { $0.append("manifest \(reference)") }
    if let failure = failures[reference] { throw failure }
    guard let bytes = manifests[reference] else { return nil }
    guard bytes.count <= maximumBytes else { throw ArtifactFetchError(.invalid, "manifest larger than \(maximumBytes)") }
    return ManifestContent(bytes: bytes, mediaType: "", digest: sha256(bytes))
  }

  func fetchBlob(repository: String, digest: String, maximumBytes: Int) throws(ArtifactFetchError) -> [UInt8]? {
    reads.withLock { $0.append("blob \(digest)") }
    if let failure = failures[digest] { throw failure }
    return blobs[digest]
  }

  func fetchReferrers(repository: String, digest: String, artifactType: String?, maximumBytes: Int) throws(ArtifactFetchError) -> [UInt8]? {
    reads.withLock { $0.append("referrers \(digest)") }
    if let failure = failures["referrers"] { throw failure }
    guard let referrers else { return nil }
    return referrers[digest] ?? Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.utf8)
  }

  var readLog: [String] { reads.withLock { $0 } }

  /// Stores a manifest under its digest (and a tag, if given).
  func put(manifest bytes: [UInt8], tag: String? = nil) {
    manifests[sha256(bytes)] = bytes
    if let tag { manifests[tag] = bytes }
  }

  func put(blob bytes: [UInt8]) { blobs[sha256(bytes)] = bytes }

  /// A bundle referrer of `digest`: blobs, the referrer manifest, and either the referrers API
  /// answer (when `referrers` is set) or the referrers tag.
  func attach(bundle: [UInt8], to digest: String, subjectSize: Int = 100) {
    put(blob: SignatureArtifacts.emptyConfig)
    put(blob: bundle)
    let referrer = SignatureArtifacts.bundleManifest(bundle: bundle, subject: digest, subjectSize: subjectSize, subjectType: "application/vnd.oci.image.manifest.v1+json")
    put(manifest: referrer)
    let index = SignatureArtifacts.referrersIndex([(referrer, SignatureArtifacts.bundleType)])
    if referrers != nil { referrers?[digest] = index } else { manifests["sha256-" + digest.dropFirst(7)] = index }
  }

  /// A legacy `.sig` manifest for `digest`.
  func attach(legacy signed: (manifest: [UInt8], blobs: [[UInt8]]), to digest: String) {
    for blob in signed.blobs { put(blob: blob) }
    manifests["sha256-" + digest.dropFirst(7) + ".sig"] = signed.manifest
  }
}
