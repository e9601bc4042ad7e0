import KcdCore
import KcdCrypto

/// Decides one signature under a prepared policy. Each step names what failed; nothing but
/// the last line returns a pass.
struct EvidenceCheck {
  let policy: PreparedPolicy
  let digest: String
  let now: Double
  let limits: SignatureLimits

  /// What passed, in words for the Event.
  func run(_ evidence: SignatureEvidence) throws(CandidateFailure) -> String {
    switch policy {
    case .publicKey(let key):
      guard evidence.signatures.contains(where: { key.verify($0, message: evidence.message) }) else {
        throw .rejected("the signature does not verify with the configured public key")
      }
      try evidence.claim.check(digest)
      return "verified with the configured \(key.kind.rawValue) public key"
    case .keyless(let trust):
      return try keyless(evidence, trust)
    }
  }

  func keyless(_ evidence: SignatureEvidence, _ trust: KeylessTrust) throws(CandidateFailure) -> String {
    guard let leaf = evidence.certificate else { throw .rejected("no signing certificate (keyless verification needs one)") }
    let key: VerificationKey
    do { key = try VerificationKey(certificate: leaf) } catch { throw .rejected("the signing certificate's key is unusable: \(error.message)") }
    guard let signature = evidence.signatures.first(where: { key.verify($0, message: evidence.message) }) else {
      throw .rejected("the signature does not verify with the key of its certificate")
    }
    let (entry, log) = try TransparencyLog(root: trust.root, limits: limits)
      .verify(evidence.logEntries, logged: evidence.logged, signature: signature, certificate: leaf, now: now)
    let time = Double(entry.integratedTime)
    guard leaf.isValid(at: time) else { throw .rejected("the certificate was not valid when the signature was logged (\(Timestamps.rfc3339(time)))") }
    _ = try trust.root.verifyChain(leaf, untrusted: evidence.chain, at: time)
    guard leaf.allowsCodeSigning else { throw .rejected("the certificate's extended key usage does not allow code signing") }
    let identity = try FulcioIdentity(leaf)
    guard trust.issuer.matches(identity.issuer) else {
      throw .rejected("the certificate's issuer \"\(Excerpt.of(identity.issuer))\" does not match \(Excerpt.of(trust.issuer.match.description))")
    }
    guard trust.subject.matches(identity.subject) else {
      throw .rejected("the certificate's subject \"\(Excerpt.of(identity.subject))\" does not match \(Excerpt.of(trust.subject.match.description))")
    }
    try evidence.claim.check(digest)
    return "verified keyless: issuer \(Excerpt.of(identity.issuer)), subject \(Excerpt.of(identity.subject)), logged by \(Excerpt.of(log.baseURL)) at index \(entry.logIndex) (\(Timestamps.rfc3339(time)))"
  }
}
