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
