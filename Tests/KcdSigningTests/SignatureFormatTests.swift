import KcdCore
import KcdCrypto
import KcdJSON
import Testing

@testable import KcdSigning

/// The byte-level formats: DSSE PAE, the SET's canonical JSON, simple-signing payloads,
/// in-toto statements, base64 and DER handling.
@Suite struct SignatureFormatTests {
  static let digest = "sha256:" + String(repeating: "ab", count: 32)
  static let other = "sha256:" + String(repeating: "cd", count: 32)

  @Test("PAE: the DSSE spec's example, an empty body, and byte (not character) lengths")
  func pae() {
    // secure-systems-lab/dsse protocol.md: PAE("http://example.com/HelloWorld", "hello world").
    #expect(String(decoding: DSSEEnvelope.pae(type: "http://example.com/HelloWorld", body: Array("hello world".utf8)), as: UTF8.self)
      == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    #expect(String(decoding: DSSEEnvelope.pae(type: "", body: []), as: UTF8.self) == "DSSEv1 0  0 ")
    #expect(String(decoding: DSSEEnvelope.pae(type: "t", body: Array("é".utf8)), as: UTF8.self) == "DSSEv1 1 t 2 é")
    #expect(DSSEEnvelope.pae(type: DSSEEnvelope.inTotoType, body: Array("{}".utf8)) == Array("DSSEv1 28 application/vnd.in-toto+json 2 {}".utf8))
  }

  @Test("DSSE envelopes accept standard and URL-safe base64 and refuse missing or oversized parts")
  func envelopes() throws {
    // 0xFB 0xFF 0xBF is "+/+/" in standard base64 and "-_-_" in the URL-safe alphabet.
    for text in ["+/+/", "-_-_"] {
      let envelope = try DSSEEnvelope(["payloadType": "x", "payload": .string(text), "signatures": [["sig": "AQID"]]], limits: SignatureLimits())
      #expect(envelope.payload == [0xFB, 0xFF, 0xBF])
      #expect(envelope.signatures == [[1, 2, 3]])
    }
    let bad: [JSON] = [
      ["payload": "e30=", "signatures": [["sig": "AQID"]]],
      ["payloadType": "x", "payload": "e30=", "signatures": []],
      ["payloadType": "x", "payload": "!!", "signatures": [["sig": "AQID"]]],
      ["payloadType": "x", "payload": "e30=", "signatures": [["sig": .string(String(repeating: "A", count: 5000))]]],
      ["payloadType": "x", "payload": "e30=", "signatures": .array(Array(repeating: ["sig": "AQID"], count: 9))],
    ]
    for json in bad {
      #expect(throws: CandidateFailure.self) { try DSSEEnvelope(json, limits: SignatureLimits()) }
    }
  }

  @Test("the SET covers {body, integratedTime, logID, logIndex} in that order, compact, as RFC 8785 sorts them")
  func canonicalSETPayload() {
    let text = String(decoding: LogEntry.canonicalPayload(bodyText: "e30=", integratedTime: 1_681_839_912, logID: "c0d2", logIndex: 18_300_934), as: UTF8.self)
    #expect(text == #"{"body":"e30=","integratedTime":1681839912,"logID":"c0d2","logIndex":18300934}"#)
    // What a generic canonicaliser (sorted keys, no spaces) makes of the same object.
    let json: JSON = ["logIndex": 18_300_934, "logID": "c0d2", "integratedTime": 1_681_839_912, "body": "e30="]
    #expect(json.text == text)
  }

  @Test("log entries: protobuf int64 strings or numbers, base64 bodies re-encoded as Rekor sent them; malformed ones refused")
  func logEntryParsing() throws {
    let keyID = Base64.encode([UInt8](repeating: 7, count: 32))
    let entry = try LogEntry(bundleEntry: [
      "logIndex": "42", "integratedTime": 1_700_000_000, "logId": ["keyId": .string(keyID)],
      "kindVersion": ["kind": "dsse", "version": "0.0.1"], "canonicalizedBody": "e30",
      "inclusionPromise": ["signedEntryTimestamp": "AQID"],
    ])
    #expect(entry.logIndex == 42 && entry.integratedTime == 1_700_000_000)
    #expect(entry.bodyText == "e30=")  // padded standard base64 of "{}"
    #expect(entry.logID == String(repeating: "07", count: 32))
    #expect(entry.signedEntryTimestamp == [1, 2, 3])
    let noPromise = try LogEntry(bundleEntry: [
      "logIndex": 1, "integratedTime": 1, "logId": ["keyId": .string(keyID)], "kindVersion": ["kind": "dsse", "version": "0.0.1"], "canonicalizedBody": "e30=",
    ])
    #expect(noPromise.signedEntryTimestamp == nil)
    for bad: JSON in [
      ["logIndex": "-1", "integratedTime": 1, "logId": ["keyId": .string(keyID)], "kindVersion": ["kind": "k", "version": "v"], "canonicalizedBody": "e30="],
      ["logIndex": "1", "integratedTime": 1.5, "logId": ["keyId": .string(keyID)], "kindVersion": ["kind": "k", "version": "v"], "canonicalizedBody": "e30="],
      ["logIndex": "1", "integratedTime": 1, "logId": ["keyId": "AQID"], "kindVersion": ["kind": "k", "version": "v"], "canonicalizedBody": "e30="],
      ["logIndex": "1", "integratedTime": 1, "logId": ["keyId": .string(keyID)], "canonicalizedBody": "e30="],
      ["logIndex": "99999999999999999999", "integratedTime": 1, "logId": ["keyId": .string(keyID)], "kindVersion": ["kind": "k", "version": "v"], "canonicalizedBody": "e30="],
    ] {
      #expect(throws: CandidateFailure.self) { try LogEntry(bundleEntry: bad) }
    }
    let legacy = try LogEntry(cosignAnnotation: #"{"SignedEntryTimestamp":"AQID","Payload":{"body":"e30=","integratedTime":5,"logIndex":6,"logID":"abc"}}"#)
    #expect(legacy.bodyText == "e30=" && legacy.integratedTime == 5 && legacy.logIndex == 6 && legacy.logID == "abc")
    #expect(throws: CandidateFailure.self) { try LogEntry(cosignAnnotation: #"{"Payload":{"body":"e3\n0=","integratedTime":5,"logIndex":6,"logID":"abc"}}"#) }
    #expect(throws: CandidateFailure.self) { try LogEntry(cosignAnnotation: "[]") }
  }

  @Test("simple signing: cosign's exact payload binds; another digest, another type, or ambiguous keys are refused")
  func simpleSigning() throws {
    try SimpleSigningPayload.check(SignatureArtifacts.simpleSigningPayload(digest: Self.digest), digest: Self.digest)
    // The spec's own example capitalises the key; Go reads it case-insensitively.
    try SimpleSigningPayload.check(Array(#"{"Critical":{"Image":{"Docker-manifest-digest":"\#(Self.digest)"},"Type":"cosign container image signature"}}"#.utf8), digest: Self.digest)
    #expect(throws: CandidateFailure.rejected("signed another digest: the payload names sha256:cdcdcdcdcdcd…, not sha256:abababababab…")) {
      try SimpleSigningPayload.check(SignatureArtifacts.simpleSigningPayload(digest: Self.other), digest: Self.digest)
    }
    let refused: [[UInt8]] = [
      SignatureArtifacts.simpleSigningPayload(digest: Self.digest, type: "atomic container signature"),
      Array(#"{"critical":{"image":{"docker-manifest-digest":"\#(Self.digest)","Docker-Manifest-Digest":"\#(Self.other)"},"type":"cosign container image signature"}}"#.utf8),
      Array(#"{"critical":{"image":{},"type":"cosign container image signature"}}"#.utf8),
      Array("not json".utf8),
      Array(#"["critical"]"#.utf8),
    ]
    for payload in refused {
      #expect(throws: CandidateFailure.self) { try SimpleSigningPayload.check(payload, digest: Self.digest) }
    }
  }

  @Test("in-toto statements: the sign predicate and a subject with the digest; attestations and other subjects refused")
  func statements() throws {
    try InTotoStatement.check(SignatureArtifacts.statement(digest: Self.digest), digest: Self.digest)
    #expect(throws: CandidateFailure.rejected("signed another digest: the statement's subject names sha256:cdcdcdcdcdcd…, not sha256:abababababab…")) {
      try InTotoStatement.check(SignatureArtifacts.statement(digest: Self.other), digest: Self.digest)
    }
    #expect(throws: CandidateFailure.self) {
      try InTotoStatement.check(SignatureArtifacts.statement(digest: Self.digest, predicateType: "https://slsa.dev/provenance/v1"), digest: Self.digest)
    }
    #expect(throws: CandidateFailure.self) { try InTotoStatement.check(Array(#"{"_type":"x","predicateType":"https://sigstore.dev/cosign/sign/v1","subject":[]}"#.utf8), digest: Self.digest) }
  }

  @Test("message digests bind only SHA2_256 of the deployed digest")
  func messageDigest() throws {
    let bytes = Digest.fromHex(String(Self.digest.dropFirst(7)))!
    try DigestClaim.messageDigest(algorithm: "SHA2_256", digest: bytes).check(Self.digest)
    #expect(throws: CandidateFailure.self) { try DigestClaim.messageDigest(algorithm: "SHA2_384", digest: bytes).check(Self.digest) }
    #expect(throws: CandidateFailure.self) { try DigestClaim.messageDigest(algorithm: "SHA2_256", digest: bytes).check(Self.other) }
  }

  @Test("DER UTF8String: short and long lengths; wrong tag, bad lengths, trailing bytes and bad UTF-8 refused")
  func derUTF8String() {
    #expect(DER.utf8String([0x0C, 0x02, 0x68, 0x69]) == "hi")
    let long = [UInt8](repeating: 0x61, count: 200)
    #expect(DER.utf8String([0x0C, 0x81, 200] + long) == String(repeating: "a", count: 200))
    for bad: [UInt8] in [[0x13, 0x02, 0x68, 0x69], [0x0C, 0x03, 0x68, 0x69], [0x0C, 0x01, 0x68, 0x69], [0x0C, 0x81, 0x02, 0x68, 0x69],
                         [0x0C, 0x82, 0x00, 0xC8] + long, [0x0C, 0x02, 0xC3, 0x28], [0x0C], [], [0x0C, 0x80]] {
      #expect(DER.utf8String(bad) == nil, "\(bad.prefix(6))")
    }
  }

  @Test("digest forms: only sha256 with 64 lower-case hex; signature and referrers tags derived from it")
  func digestForms() {
    #expect(SHA256Digest.isValid(Self.digest))
    #expect(!SHA256Digest.isValid(Self.digest.uppercased()))
    #expect(!SHA256Digest.isValid("sha512:" + String(repeating: "a", count: 64)))
    #expect(!SHA256Digest.isValid("v1.2.3"))
    #expect(SHA256Digest.signatureTag(Self.digest) == "sha256-" + String(repeating: "ab", count: 32) + ".sig")
    #expect(SHA256Digest.referrersTag(Self.digest) == "sha256-" + String(repeating: "ab", count: 32))
  }
}
