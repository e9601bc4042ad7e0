/// Verifies that the exact digest kcd is about to deploy carries a signature the policy
/// accepts, in either layout cosign writes:
///
/// - **Sigstore bundles** (cosign v3): OCI 1.1 referrers of the digest with artifact type
///   `application/vnd.dev.sigstore.bundle.v0.3+json` (referrers API, else the referrers tag
///   `sha256-<hex>`); a DSSE envelope over an in-toto Statement whose subject is the digest,
///   or a message signature over the manifest.
/// - **Legacy `.sig` tags** (cosign ≤ v2): `sha256-<hex>.sig`, one simple-signing layer per
///   signature, whose payload must name the digest.
///
/// ```swift
/// let verifier = SignatureVerifier(fetcher: ociClient)   // OCIRegistryClient is a fetcher
/// switch verifier.verify(repository: "registry.example:5000/team/app", digest: "sha256:…",
///                        policy: .publicKey(pem: cosignPub), now: Timestamps.now()) {
/// case .verified(let which): …      // deploy; `which` goes into the Event
/// case .rejected(let why): …        // refuse this digest
/// case .unavailable(let why): …     // registry unreadable now: retry later, do not deploy
/// }
/// ```
///
/// The signature must be on the digest deployed: for a multi-arch image that is the index
/// digest, and platform manifests are never consulted. Fails closed: anything not positively
/// verified is `.rejected` or `.unavailable`. Calls block (registry reads); run them on kcd's
/// own threads. `now` (Unix seconds) bounds how far in the future a log entry may be dated;
/// keyless certificates are checked at the log's integration time, not at `now`.
public struct SignatureVerifier: Sendable {
  public let fetcher: any ArtifactFetcher
  public let limits: SignatureLimits

  public init(fetcher: any ArtifactFetcher, limits: SignatureLimits = SignatureLimits()) {
    self.fetcher = fetcher
    self.limits = limits
  }

  /// `repository` like `registry.example:5000/team/app`; `digest` the manifest or index digest
  /// being deployed (`sha256:<hex>`).
  public func verify(repository: String, digest: String, policy: SignaturePolicy, now: Double) -> SignatureVerdict {
    guard SHA256Digest.isValid(digest) else { return .rejected("\"\(Excerpt.of(digest, limit: 80))\" is not a sha256 digest; only a pinned digest can be verified") }
    let prepared: PreparedPolicy
    do { prepared = try PreparedPolicy(policy, limits: limits) } catch {
      guard case .rejected(let reason) = error else { return .unavailable("the signature policy could not be prepared") }
      return .rejected("signature policy refused: \(reason)")
    }
    var run = VerificationRun(fetcher: fetcher, repository: repository, digest: digest, policy: prepared, now: now, limits: limits)
    run.referrerBundles()
    if !run.isDone { run.legacySignatures() }
    return run.verdict
  }
}
