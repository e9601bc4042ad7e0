import KcdCore

/// Checks in progress, on their own pool (a Job that runs for minutes, a webhook that hangs
/// until its timeout, never hold a reconcile worker): one run per (KCD, request, digest,
/// check) at a time; the KCD is woken when an answer is in. A `retry` answer is forgotten after
/// a few seconds so the check runs again.
public final class VerificationRuns: Sendable {
  let verifier: any CandidateVerifier
  let board: BackgroundAnswers<VerifyOutcome>
  let wake: @Sendable (String) -> Void

  /// At most `perNamespace` checks of one namespace run at once (a tenant whose checks hang
  /// cannot hold the pool), `threads` in all.
  public init(verifier: any CandidateVerifier, threads: Int = 16, perNamespace: Int = 2, clock: @escaping @Sendable () -> Double = monotonicSeconds,
              wake: @escaping @Sendable (String) -> Void) {
    self.verifier = verifier
    self.wake = wake
    board = BackgroundAnswers(threads: threads, perHost: perNamespace, clock: clock) { answer in
      if case .retry = answer { return 5 } else { return 3600 }
    }
  }

  static func id(_ key: String, _ v: Verification, _ index: Int) -> String { "\(key)\u{0}\(v.requestID)\u{0}\(v.phase.rawValue)\u{0}\(v.digest)\u{0}\(v.generation)\u{0}\(index)" }

  /// What each check of this verification has answered so far.
  public func answers(key: String, verification v: Verification) -> [Int: VerifyOutcome] {
    var out: [Int: VerifyOutcome] = [:]
    for i in v.checks.indices { if let a = board.answer(VerificationRuns.id(key, v, i)) { out[i] = a } }
    return out
  }

  public func submit(key: String, verification v: Verification, step: VerifyStep, index: Int, candidate: VerificationCandidate) {
    board.submit(VerificationRuns.id(key, v, index), host: candidate.kcd.namespace, done: { [wake] in wake(key) }) { [verifier] in
      verifier.verify(step, index: index, candidate: candidate)
    }
  }

  /// Stops taking checks without waiting for those running (a Job can run for minutes): their
  /// results are lost with the process, and the next leader runs them again (a Job is found
  /// again by its name).
  public func stop() { board.stop(waiting: false) }
}
