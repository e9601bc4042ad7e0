import KcdCore
import KcdCrypto
import KcdTestSupport

/// The documents cosign writes, built byte for byte in the tests (formats from the fact sheet:
/// cosign SIGNATURE_SPEC.md, BUNDLE_SPEC.md, Rekor's hashedrekord and dsse types).
enum SignatureArtifacts {
  static let emptyConfig: [UInt8] = Array("{}".utf8)
  static let bundleType = "application/vnd.dev.sigstore.bundle.v0.3+json"
  static let simpleSigningType = "application/vnd.dev.cosign.simplesigning.v1+json"

  /// What `cosign sign` signs in the legacy layout (Go `json.Marshal`, struct order).
  static func simpleSigningPayload(digest: String, reference: String = "registry.example/team/app", type: String = "cosign container image signature") -> [UInt8] {
    Array(#"{"critical":{"identity":{"docker-reference":"\#(reference)"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"\#(type)"},"optional":null}"#.utf8)
  }

  /// A legacy `.sig` manifest: an image manifest with one simple-signing layer per signature.
  /// Returns the manifest and every blob it references.
  static func legacyManifest(_ layers: [(payload: [UInt8], annotations: [String: String])]) -> (manifest: [UInt8], blobs: [[UInt8]]) {
    let config = Array(#"{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":[]},"config":{}}"#.utf8)
    let entries = layers.map { layer in
      #"{"mediaType":"\#(simpleSigningType)","size":\#(layer.payload.count),"digest":"\#(sha256(layer.payload))","annotations":\#(jsonObject(layer.annotations))}"#
    }
    let manifest = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":\#(config.count),"digest":"\#(sha256(config))"},"layers":[\#(entries.joined(separator: ","))]}"#
    return (Array(manifest.utf8), [config] + layers.map(\.payload))
  }

  /// What cosign v3 signs: an in-toto Statement with the sign predicate.
  static func statement(digest: String, predicateType: String = "https://sigstore.dev/cosign/sign/v1") -> [UInt8] {
    Array(#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"registry.example/team/app","digest":{"sha256":"\#(digest.dropFirst(7))"}}],"predicateType":"\#(predicateType)","predicate":{}}"#.utf8)
  }

  /// DSSE pre-authentication encoding, written out from the protocol text.
  static func pae(_ type: String, _ body: [UInt8]) -> [UInt8] {
    Array("DSSEv1 \(type.utf8.count) \(type) \(body.count) ".utf8) + body
  }

  /// A bundle v0.3 with a DSSE envelope; `certificate` DER for keyless, `tlogEntries` JSON.
  static func dsseBundle(statement: [UInt8], signature: [UInt8], certificate: [UInt8]? = nil, tlogEntries: [String] = []) -> [UInt8] {
    let envelope = #"{"payload":"\#(Base64.encode(statement))","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"\#(Base64.encode(signature))","keyid":""}]}"#
    return bundle(material: material(certificate, tlogEntries), content: #""dsseEnvelope":\#(envelope)"#)
  }

  /// A bundle v0.3 with a message signature over the manifest whose SHA-256 is `digest`.
  static func messageBundle(digest: [UInt8], signature: [UInt8], certificate: [UInt8]? = nil, tlogEntries: [String] = []) -> [UInt8] {
    let content = #""messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"\#(Base64.encode(digest))"},"signature":"\#(Base64.encode(signature))"}"#
    return bundle(material: material(certificate, tlogEntries), content: content)
  }

  static func material(_ certificate: [UInt8]?, _ tlogEntries: [String]) -> String {
    let key = certificate.map { #""certificate":{"rawBytes":"\#(Base64.encode($0))"}"# } ?? #""publicKey":{"hint":""}"#
    return #"{\#(key),"tlogEntries":[\#(tlogEntries.joined(separator: ","))]}"#
  }

  static func bundle(material: String, content: String) -> [UInt8] {
    Array(#"{"mediaType":"\#(bundleType)","verificationMaterial":\#(material),\#(content)}"#.utf8)
  }

  /// A bundle's transparency-log entry (protobuf JSON: int64 as strings, bytes as base64).
  static func tlogEntry(kind: String, body: [UInt8], integratedTime: Int64, logIndex: Int64, logID: String, set: [UInt8]?) -> String {
    let promise = set.map { #","inclusionPromise":{"signedEntryTimestamp":"\#(Base64.encode($0))"}"# } ?? ""
    let keyID = Base64.encode(Digest.fromHex(logID) ?? [])
    return #"{"logIndex":"\#(logIndex)","logId":{"keyId":"\#(keyID)"},"kindVersion":{"kind":"\#(kind)","version":"0.0.1"},"integratedTime":"\#(integratedTime)"\#(promise),"canonicalizedBody":"\#(Base64.encode(body))"}"#
  }

  /// cosign's legacy `dev.sigstore.cosign/bundle` annotation.
  static func cosignBundleAnnotation(body: [UInt8], integratedTime: Int64, logIndex: Int64, logID: String, set: [UInt8]) -> String {
    #"{"SignedEntryTimestamp":"\#(Base64.encode(set))","Payload":{"body":"\#(Base64.encode(body))","integratedTime":\#(integratedTime),"logIndex":\#(logIndex),"logID":"\#(logID)"}}"#
  }

  /// Rekor's canonical hashedrekord v0.0.1 body.
  static func hashedRekordBody(artifact: [UInt8], signature: [UInt8], certificatePEM: String) -> [UInt8] {
    Array(#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"\#(Digest.hex(Digest.sha256(artifact)))"}},"signature":{"content":"\#(Base64.encode(signature))","publicKey":{"content":"\#(Base64.encode(Array(certificatePEM.utf8)))"}}}}"#.utf8)
  }

  /// Rekor's canonical dsse v0.0.1 body.
  static func dsseBody(payload: [UInt8], envelopeHash: String = String(repeating: "0", count: 64), signature: [UInt8], certificatePEM: String) -> [UInt8] {
    Array(#"{"apiVersion":"0.0.1","kind":"dsse","spec":{"envelopeHash":{"algorithm":"sha256","value":"\#(envelopeHash)"},"payloadHash":{"algorithm":"sha256","value":"\#(Digest.hex(Digest.sha256(payload)))"},"signatures":[{"signature":"\#(Base64.encode(signature))","verifier":"\#(Base64.encode(Array(certificatePEM.utf8)))"}]}}"#.utf8)
  }

  /// An OCI 1.1 artifact manifest holding one bundle, with `subject` the signed manifest.
  static func bundleManifest(bundle: [UInt8], subject: String, subjectSize: Int, subjectType: String) -> [UInt8] {
    Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"\#(bundleType)","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"\#(sha256(emptyConfig))","size":2},"layers":[{"mediaType":"\#(bundleType)","digest":"\#(sha256(bundle))","size":\#(bundle.count)}],"subject":{"mediaType":"\#(subjectType)","digest":"\#(subject)","size":\#(subjectSize)},"annotations":{"dev.sigstore.bundle.content":"dsse-envelope","dev.sigstore.bundle.predicateType":"https://sigstore.dev/cosign/sign/v1"}}"#.utf8)
  }

  /// A referrers index (what the API returns, and what the referrers tag holds).
  static func referrersIndex(_ manifests: [(bytes: [UInt8], artifactType: String)]) -> [UInt8] {
    let entries = manifests.map { #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(sha256($0.bytes))","size":\#($0.bytes.count),"artifactType":"\#($0.artifactType)"}"# }
    return Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\#(entries.joined(separator: ","))]}"#.utf8)
  }

  static func jsonObject(_ values: [String: String]) -> String {
    "{" + values.sorted { $0.key < $1.key }.map { key, value in
      var out: [UInt8] = []
      JSONText.string(key, into: &out)
      out.append(UInt8(ascii: ":"))
      JSONText.string(value, into: &out)
      return String(decoding: out, as: UTF8.self)
    }.joined(separator: ",") + "}"
  }
}

/// JSON string escaping for annotation values (PEM has newlines).
enum JSONText {
  static func string(_ text: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for c in text.utf8 {
      switch c {
      case UInt8(ascii: "\""): out += [0x5C, 0x22]
      case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
      case 0x0A: out += [0x5C, UInt8(ascii: "n")]
      default: out.append(c)
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}
