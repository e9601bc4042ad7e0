import KcdCore
import KcdCrypto
import KcdJSON

/// Checks `Authorization: Bearer <ID token>` on `POST /hooks/ci` against the configured
/// issuers: the token's `iss` must be configured (nothing is fetched otherwise), its header
/// must say RS256 or ES256 and name a key of that issuer, the signature must verify, `aud`
/// must contain the issuer's audience, `exp`/`nbf`/`iat` must hold within 60 s, and every claim
/// rule must hold. Then `use` spends the token: each is good once.
///
/// Refusals: 401 for a token that is not authentic or not current (or already used), 403 for an
/// authentic token the rules do not allow, 503 when the issuer's keys cannot be had or the
/// replay memory is full. Messages name the check, never the token.
public final class OIDCVerifier: Sendable {
  let issuers: [String: OIDCIssuer]
  let keys: OIDCKeyCache
  public let replays: ReplayMemory
  let log: Logger

  public init(issuers: [OIDCIssuer], keys: OIDCKeyCache, replays: ReplayMemory = ReplayMemory(), log: Logger) {
    self.issuers = Dictionary(issuers.map { ($0.issuer, $0) }, uniquingKeysWith: { first, _ in first })
    self.keys = keys
    self.replays = replays
    self.log = log
  }

  /// The token of an `Authorization: Bearer …` header, nil for any other header.
  public static func bearer(_ header: String?) -> String? {
    guard let header else { return nil }
    let parts = header.trimmingSpaces().split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
    let token = String(parts[1]).trimmingSpaces()
    return token.isEmpty ? nil : token
  }

  /// Authenticates the token and checks its rules; does not spend it (see `use`).
  public func verify(_ compact: String, now: Double) throws(HookRejection) -> OIDCIdentity {
    let token: JWT.Token
    do { token = try JWT.decode(compact) } catch { throw .unauthorized("the bearer token is not a JWT: \(error.message)") }
    guard let algorithm = token.algorithm.flatMap(JWSAlgorithm.init(rawValue:)) else {
      throw .unauthorized("the token's alg is not accepted (RS256 or ES256 only)")
    }
    guard token.header["crit"].isNull else { throw .unauthorized("the token has critical header parameters") }
    guard let iss = token.claims["iss"].stringValue, let issuer = issuers[iss] else {
      throw .unauthorized("the token's issuer is not configured")
    }
    let candidates = try keys.candidates(issuer, kid: token.keyID, algorithm: algorithm)
    // Not logged: nothing in a token whose signature fails is the issuer's word.
    guard candidates.contains(where: { $0.verify(token.signature, signingInput: token.signingInput) }) else {
      throw .unauthorized("the token's signature does not verify")
    }
    let audiences = token.claims["aud"].arrayValue?.compactMap(\.stringValue) ?? token.claims["aud"].stringValue.map { [$0] } ?? []
    guard audiences.contains(issuer.audience) else { throw refused(issuer, token.claims, .unauthorized("the token's audience is not kcd's")) }
    let times: TokenTimes
    do {
      times = try TokenTimes(claims: token.claims)
      try times.check(now: now)
    } catch {
      throw refused(issuer, token.claims, error)
    }
    for rule in issuer.claims where !rule.matches(token.claims) {
      throw refused(issuer, token.claims, HookRejection(403, "the token's \(rule.claim) claim is not allowed by kcd's rules for its issuer"))
    }
    let jti = token.claims["jti"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
    let replayKey = "oidc-" + Digest.hex(Digest.sha256(jti.map { Array("\(iss)\n\($0)".utf8) } ?? Array(compact.utf8)).prefix(20))
    let subject = token.claims["sub"].stringValue ?? ""
    return OIDCIdentity(issuer: iss, subject: subject, scope: issuer.kcds, replayKey: replayKey, times: times)
  }

  /// Spends the token: 401 when it was used before, 503 when the memory of used tokens is full.
  public func use(_ identity: OIDCIdentity, now: Double) throws(HookRejection) {
    switch replays.use(identity.replayKey, expiresAt: identity.times.expiresAt, now: now) {
    case .fresh:
      log.info("oidc token accepted", [("issuer", identity.issuer), ("subject", identity.subject)])
    case .replayed:
      log.warn("oidc token refused", [("issuer", identity.issuer), ("subject", identity.subject), ("reason", "already used")])
      throw .unauthorized("the token was already used")
    case .full:
      log.warn("oidc token refused", [("issuer", identity.issuer), ("subject", identity.subject), ("reason", "replay memory full")])
      throw HookRejection(503, "kcd cannot remember more tokens right now; retry later")
    }
  }

  /// Logs a refusal of a token the issuer signed (issuer and subject only).
  func refused(_ issuer: OIDCIssuer, _ claims: JSON, _ rejection: HookRejection) -> HookRejection {
    let subject = String((claims["sub"].stringValue ?? "").prefix(256))
    log.warn("oidc token refused", [("issuer", issuer.issuer), ("subject", subject), ("reason", rejection.message)])
    return rejection
  }
}
