/// kcd's verifier: each kind of check to its runner.
public struct Verifiers: CandidateVerifier {
  let jobs: JobVerifier
  let webhooks: WebhookVerifier
  let signatures: SignatureStepVerifier

  public init(jobs: JobVerifier, webhooks: WebhookVerifier, signatures: SignatureStepVerifier) {
    self.jobs = jobs
    self.webhooks = webhooks
    self.signatures = signatures
  }

  public func verify(_ step: VerifyStep, index: Int, candidate: VerificationCandidate) -> VerifyOutcome {
    switch step {
    case .image(let check): return jobs.verify(check, index: index, candidate: candidate)
    case .webhook(let check): return webhooks.verify(check, index: index, candidate: candidate)
    case .signature(let check): return signatures.verify(check, candidate: candidate)
    }
  }
}
