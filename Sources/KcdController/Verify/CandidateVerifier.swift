import KcdKube

/// What is being verified: the exact image about to be deployed, and for whom.
public struct VerificationCandidate: Sendable, Equatable {
  public var kcd: ObjectReference
  /// `spec.imageRepo` as written.
  public var repository: String
  /// The pinned reference that would be deployed: `<imageRepo>:<version>@<digest>`.
  public var image: String
  public var digest: String
  public var version: String
  /// `source:deliveryID` of the event behind it.
  public var trigger: String
  /// `Kind/name` of the workloads it would be deployed to.
  public var workloads: [String]
  /// The request it belongs to (a stable id for what a check creates, such as a Job's name).
  public var requestID: String
  /// When the checks run and for which spec: part of the ids of what a check creates, so the
  /// checks of another phase or of an edited spec never share a Job or a webhook id.
  public var phase: Verification.Phase = .beforeRollout
  public var generation: Int64 = 0

  public init(kcd: ObjectReference, repository: String, image: String, digest: String, version: String, trigger: String, workloads: [String],
              requestID: String, phase: Verification.Phase = .beforeRollout, generation: Int64 = 0) {
    self.kcd = kcd
    self.repository = repository
    self.image = image
    self.digest = digest
    self.version = version
    self.trigger = trigger
    self.workloads = workloads
    self.requestID = requestID
    self.phase = phase
    self.generation = generation
  }

  /// A stable id for check `index` (`step` described) of this candidate.
  public func checkSeed(index: Int, step: String) -> String {
    "\(kcd.namespace)/\(kcd.name)\u{0}\(requestID)\u{0}\(digest)\u{0}\(phase.rawValue)\u{0}\(generation)\u{0}\(index)\u{0}\(step)"
  }
}

/// What one check said.
public enum VerifyOutcome: Sendable, Equatable {
  case passed(String)
  /// A definite no: the candidate is not deployed (failedDigest).
  case failed(String)
  /// Could not decide now (an API not answering); the check runs again shortly. Never a pass.
  case retry(String)
}

/// Runs one check, blocking (on the verification pool, never on a reconcile worker). Must
/// honour the step's timeout and be safe to repeat: after a restart a check without a recorded
/// result runs again.
public protocol CandidateVerifier: Sendable {
  func verify(_ step: VerifyStep, index: Int, candidate: VerificationCandidate) -> VerifyOutcome
}
