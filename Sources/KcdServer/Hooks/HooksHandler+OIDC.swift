import KcdHTTP
import KcdHooks
import KcdJSON

/// What OIDC-authenticated CI callbacks add to the hooks listener: they may fetch the issuer's
/// keys (so they run on a worker), an identity limited to some KCDs is refused (403) for the
/// others, and a token whose delivery kcd asked to retry is not spent.
extension HooksHandler {
  /// A CI callback with a bearer token, when OIDC issuers are configured.
  func mayFetch(_ request: HTTPRequest, _ source: Substring) -> Bool {
    source == "ci" && sources.oidc != nil && request.headers["authorization"] != nil
  }

  /// 403 when an event's scope excludes every KCD it would reach (or the one it names).
  func scopeRefusal(_ pushes: [ImageEvent], source: String) -> HTTPResponse? {
    for event in pushes {
      guard let kcd = intake.outOfScope(event) else { continue }
      log.warn("oidc identity may not roll out this KCD", [("source", source), ("kcd", kcd), ("id", event.deliveryID)])
      return answer(source, 403, ["error": .string("the sender's identity may not roll out \(kcd)")])
    }
    return nil
  }

  /// Answers of "retry later" (429, 503) recorded nothing: the tokens of their events stay
  /// usable for the retry.
  func settled(_ response: HTTPResponse, _ events: [ImageEvent]) -> HTTPResponse {
    if response.status == 429 || response.status == 503, let oidc = sources.oidc {
      for event in events where event.source == "ci" { oidc.replays.release(event.deliveryID) }
    }
    return response
  }
}
