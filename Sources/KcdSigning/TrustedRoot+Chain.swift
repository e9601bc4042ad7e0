import KcdCore
import KcdCrypto

extension TrustedRoot {
  /// The authority `leaf` chains to at `time` (the log's integration time: Fulcio leaves live
  /// ten minutes), through the authority's own intermediates and any the signature carried.
  /// Only the authority's last certificate is an anchor; carried certificates are untrusted.
  func verifyChain(_ leaf: Certificate, untrusted: [Certificate], at time: Double) throws(CandidateFailure) -> Authority {
    let current = authorities.filter { $0.window.contains(time) }
    guard !current.isEmpty else {
      throw .rejected("no certificate authority of the trusted root was valid at \(Timestamps.rfc3339(time))")
    }
    var firstFailure = ""
    for authority in current {
      do {
        try leaf.verifyChain(intermediates: authority.intermediates + untrusted, anchors: .init(useSystemStore: false, extra: [authority.root]), at: time)
        return authority
      } catch {
        if firstFailure.isEmpty { firstFailure = error.message }
      }
    }
    throw .rejected("the certificate does not chain to a certificate authority of the trusted root (\(Excerpt.of(firstFailure)))")
  }
}
