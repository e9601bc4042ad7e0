import KcdCore
import KcdCrypto

/// Offline transparency-log checks with the trusted root's log keys: the SET, the body's
/// binding to this signature, and a plausible integration time. No Rekor server is asked.
struct TransparencyLog {
  let root: TrustedRoot
  let limits: SignatureLimits

  /// The first entry that passes every check, with its log; otherwise why the first one failed.
  func verify(_ entries: [LogEntry], logged: LoggedContent, signature: [UInt8], certificate: Certificate, now: Double) throws(CandidateFailure) -> (LogEntry, TrustedRoot.Log) {
    guard !entries.isEmpty else { throw .rejected("no transparency-log promise (SET): the signature was not logged, or its log entry was left out") }
    var firstFailure: CandidateFailure?
    for entry in entries.prefix(limits.entriesPerSignature) {
      do {
        let log = try promise(entry, now: now)
        try RekorBody.check(entry, logged: logged, signature: signature, certificate: certificate)
        return (entry, log)
      } catch {
        if firstFailure == nil { firstFailure = error }
      }
    }
    throw firstFailure ?? .rejected("no transparency-log entry was looked at (limit \(limits.entriesPerSignature))")
  }

  /// Checks the SET of one entry with the key of the log it names.
  func promise(_ entry: LogEntry, now: Double) throws(CandidateFailure) -> TrustedRoot.Log {
    guard let set = entry.signedEntryTimestamp else { throw .rejected("no transparency-log promise (SET) in the log entry (an inclusion proof alone is not checked)") }
    guard let log = root.log(id: entry.logID) else {
      throw .rejected("the log promise names log \(Excerpt.of(entry.logID, limit: 16)), which is not in the trusted root")
    }
    let time = Double(entry.integratedTime)
    guard log.window.contains(time) else { throw .rejected("the log promise is dated \(Timestamps.rfc3339(time)), outside the validity of the log's key") }
    guard time <= now + limits.clockSkew else { throw .rejected("the log promise is dated \(Timestamps.rfc3339(time)), in the future") }
    guard log.key.kind == .ecdsaP256, log.key.verify(set, message: entry.canonicalPayload) else {
      throw .rejected("the transparency-log promise (SET) does not verify with the key of log \(Excerpt.of(log.baseURL))")
    }
    return log
  }
}
