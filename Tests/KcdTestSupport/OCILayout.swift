import KcdCrypto

/// A tiny image made by hand — config, one layer, manifest — with exact bytes, so a test
/// knows the digest a registry must report before anything is pushed.
public struct TestImage: Sendable {
  public let config: [UInt8]
  public let layer: [UInt8]
  public let manifest: [UInt8]
  public let architecture: String

  /// Distinct `content` gives distinct digests.
  public init(content: String, architecture: String = "amd64") {
    self.architecture = architecture
    layer = Array("kcd test layer: \(content)\n".utf8)
    config = Array(#"{"architecture":"\#(architecture)","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(sha256(layer))"]},"config":{"Labels":{"content":"\#(content)"}}}"#.utf8)
    manifest = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(sha256(config))","size":\#(config.count)},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(sha256(layer))","size":\#(layer.count)}]}"#.utf8)
  }

  public var digest: String { sha256(manifest) }
  public var blobs: [[UInt8]] { [config, layer, manifest] }
}

/// A multi-platform OCI image index over several images.
public struct TestIndex: Sendable {
  public let images: [TestImage]
  public let index: [UInt8]

  public init(_ images: [TestImage]) {
    self.images = images
    let entries = images.map {
      #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#($0.digest)","size":\#($0.manifest.count),"platform":{"architecture":"\#($0.architecture)","os":"linux"}}"#
    }
    index = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\#(entries.joined(separator: ","))]}"#.utf8)
  }

  public var digest: String { sha256(index) }
}

public func sha256(_ bytes: [UInt8]) -> String { "sha256:" + Digest.hex(Digest.sha256(bytes)) }

/// An `oci:` image layout directory (image-spec `image-layout.md`): `oci-layout`, blobs by
/// digest, and `index.json` naming each top-level manifest with `ref.name` (what skopeo's
/// `oci:DIR:name` selects).
public enum OCILayout {
  public static func write(_ directory: String, images: [(name: String, image: TestImage)] = [], indexes: [(name: String, index: TestIndex)] = []) throws {
    _ = try Subprocess.run(["mkdir", "-p", directory + "/blobs/sha256"])
    TestEnvironment.write(#"{"imageLayoutVersion":"1.0.0"}"#, to: directory + "/oci-layout")
    var blobs = images.flatMap(\.image.blobs)
    for (_, index) in indexes { blobs += index.images.flatMap(\.blobs) + [index.index] }
    for blob in blobs { try writeBytes(blob, to: directory + "/blobs/sha256/" + String(sha256(blob).dropFirst(7))) }
    var entries = images.map { name, image in
      #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(image.digest)","size":\#(image.manifest.count),"annotations":{"org.opencontainers.image.ref.name":"\#(name)"}}"#
    }
    entries += indexes.map { name, index in
      #"{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"\#(index.digest)","size":\#(index.index.count),"annotations":{"org.opencontainers.image.ref.name":"\#(name)"}}"#
    }
    TestEnvironment.write(#"{"schemaVersion":2,"manifests":[\#(entries.joined(separator: ","))]}"#, to: directory + "/index.json")
  }

  /// Blobs are ASCII JSON or text here, so the text writer keeps them byte for byte.
  public static func writeBytes(_ bytes: [UInt8], to path: String) throws {
    TestEnvironment.write(String(decoding: bytes, as: UTF8.self), to: path)
    guard TestEnvironment.read(path).map({ Array($0.utf8) }) == bytes else { throw TestFailure("could not write \(path)") }
  }
}
