/// The state of one `verify` call: what was tried, why each try failed, and the verdict.
/// Signatures are tried in discovery order until one passes or the limit is reached.
struct VerificationRun {
  let fetcher: any ArtifactFetcher
  let repository: String
  let digest: String
  let policy: PreparedPolicy
  let now: Double
  let limits: SignatureLimits

  private(set) var passed: String?
  private(set) var tried = 0
  private(set) var skipped = 0
  private(set) var rejections: [String] = []
  private(set) var unavailable: [String] = []
  /// The deployed manifest's bytes, read once if a message signature needs them.
  var manifestBytes: [UInt8]?

  init(fetcher: any ArtifactFetcher, repository: String, digest: String, policy: PreparedPolicy, now: Double, limits: SignatureLimits) {
    self.fetcher = fetcher
    self.repository = repository
    self.digest = digest
    self.policy = policy
    self.now = now
    self.limits = limits
  }

  var isDone: Bool { passed != nil }

  /// Tries one signature, unless the limit is reached. `produce` reads and parses it.
  mutating func consider(_ label: String, _ produce: (inout VerificationRun) throws(CandidateFailure) -> SignatureEvidence) {
    guard passed == nil else { return }
    guard tried < limits.signatures else { skipped += 1; return }
    tried += 1
    do {
      let evidence = try produce(&self)
      let detail = try EvidenceCheck(policy: policy, digest: digest, now: now, limits: limits).run(evidence)
      passed = "\(label) \(detail)"
    } catch {
      record(label, error)
    }
  }

  /// A failure that is not about one signature (a lookup, an unreadable list).
  mutating func record(_ label: String, _ failure: CandidateFailure) {
    switch failure {
    case .rejected(let reason): rejections.append("\(label): \(reason)")
    case .unavailable(let reason): unavailable.append("\(label): \(reason)")
    }
  }

  /// Verified if anything passed; otherwise unavailable if anything could not be read (it may
  /// have been the good signature); otherwise rejected, with the reasons.
  var verdict: SignatureVerdict {
    let subject = "\(repository)@\(Excerpt.digest(digest))"
    if let passed { return .verified(passed) }
    if !unavailable.isEmpty { return .unavailable("signatures of \(subject) could not be read: " + VerificationRun.summary(unavailable)) }
    if rejections.isEmpty && tried == 0 && skipped == 0 {
      return .rejected("no signature found for \(subject): no \(SHA256Digest.signatureTag(digest)) tag and no Sigstore bundle referrer")
    }
    var text = "no valid signature for \(subject): " + VerificationRun.summary(rejections)
    if skipped > 0 { text += "; \(skipped) more signature(s) not tried (limit \(limits.signatures))" }
    return .rejected(text)
  }

  /// The first few reasons, each bounded, and how many more there were.
  static func summary(_ reasons: [String], shown: Int = 4) -> String {
    var text = reasons.prefix(shown).map { Excerpt.of($0, limit: 400) }.joined(separator: "; ")
    if reasons.count > shown { text += "; and \(reasons.count - shown) more" }
    return text
  }
}
