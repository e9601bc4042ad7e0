import KcdCrypto

/// One signature as found in either layout, reduced to what verification needs: the exact
/// bytes signed, the signature(s), keyless material, and the claim that binds it to a digest.
struct SignatureEvidence: Sendable {
  /// The exact signed bytes: the simple-signing payload, the DSSE PAE, or the manifest.
  let message: [UInt8]
  let signatures: [[UInt8]]
  /// Keyless material (absent, and not read, under a public-key policy).
  let certificate: Certificate?
  let chain: [Certificate]
  let logEntries: [LogEntry]
  /// What the log entry must record about this signature.
  let logged: LoggedContent
  let claim: DigestClaim
}

/// Which digest the signed content says it is for.
enum DigestClaim: Sendable, Equatable {
  /// A cosign simple-signing payload (`critical.image.docker-manifest-digest`).
  case simpleSigning([UInt8])
  /// An in-toto Statement (`subject[].digest.sha256`).
  case inToto([UInt8])
  /// A bundle's `messageSignature.messageDigest` (algorithm name, digest bytes).
  case messageDigest(algorithm: String, digest: [UInt8])

  func check(_ digest: String) throws(CandidateFailure) {
    switch self {
    case .simpleSigning(let payload): try SimpleSigningPayload.check(payload, digest: digest)
    case .inToto(let statement): try InTotoStatement.check(statement, digest: digest)
    case .messageDigest(let algorithm, let bytes):
      guard algorithm == "SHA2_256" else { throw .rejected("the message digest is \(Excerpt.of(algorithm)), not SHA2_256") }
      guard Digest.fromHex(SHA256Digest.hex(digest)) == bytes else {
        throw .rejected("signed another digest: the message digest is sha256:\(Excerpt.of(Digest.hex(bytes), limit: 12))…, not \(Excerpt.digest(digest))")
      }
    }
  }
}
