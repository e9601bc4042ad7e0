/// Who must have signed the digest being deployed.
public enum SignaturePolicy: Sendable, Equatable {
  /// cosign with a static public key: PEM `PUBLIC KEY`, ECDSA P-256 (also RSA ≥ 2048 bits and
  /// Ed25519). The transparency log is not consulted (cosign's `--insecure-ignore-tlog`).
  case publicKey(pem: String)
  /// Keyless: a Fulcio-style certificate chaining to a certificate authority of the trusted
  /// root, a transparency-log promise (Rekor SET) verified with a log key of the trusted root,
  /// and the certificate's OIDC issuer and subject (email or URI SAN) matched.
  case keyless(trustedRoot: String, issuer: IdentityMatch, subject: IdentityMatch)
}

/// How a certificate identity is matched: the whole value exactly, or a KcdPattern regular
/// expression that must match the whole value (linear time; no partial matches).
public enum IdentityMatch: Sendable, Equatable, CustomStringConvertible {
  case exact(String)
  case pattern(String)

  public var description: String {
    switch self {
    case .exact(let value): return "\"\(value)\""
    case .pattern(let source): return "pattern /\(source)/"
    }
  }
}
