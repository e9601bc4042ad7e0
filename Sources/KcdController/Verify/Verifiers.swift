/// kcd's verifier: each kind of check to its runner.
public struct Verifiers: CandidateVerifier {
  let jobs: JobVerifier
  let webhooks: WebhookVerifier

  public init(jobs: JobVerifier, webhooks: WebhookVerifier) {
    self.jobs = jobs
    self.webhooks = webhooks
  }

  public func verify(_ step: VerifyStep, index: Int, candidate: VerificationCandidate) -> VerifyOutcome {
    switch step {
    case .image(let check): return jobs.verify(check, index: index, candidate: candidate)
    case .webhook(let check): return webhooks.verify(check, index: index, candidate: candidate)
    }
  }
}
