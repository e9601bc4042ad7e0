import KcdCrypto

/// A `SignaturePolicy` parsed once per verification, before any registry is read: a key that
/// does not parse or a trusted root that is malformed refuses everything.
enum PreparedPolicy: Sendable {
  case publicKey(VerificationKey)
  case keyless(KeylessTrust)

  init(_ policy: SignaturePolicy, limits: SignatureLimits) throws(CandidateFailure) {
    switch policy {
    case .publicKey(let pem):
      guard pem.utf8.count <= 64 * 1024 else { throw .rejected("the configured public key is longer than 64 KiB") }
      do { self = .publicKey(try VerificationKey(pem: pem)) } catch { throw .rejected("the configured public key is unusable: \(error.message)") }
    case .keyless(let root, let issuer, let subject):
      self = .keyless(KeylessTrust(
        root: try TrustedRoot(json: root, limits: limits),
        issuer: try IdentityMatcher(issuer, what: "issuer"),
        subject: try IdentityMatcher(subject, what: "subject")))
    }
  }

  var isKeyless: Bool { if case .keyless = self { return true } else { return false } }
}

/// What keyless verification trusts and requires.
struct KeylessTrust: Sendable {
  let root: TrustedRoot
  let issuer: IdentityMatcher
  let subject: IdentityMatcher
}
