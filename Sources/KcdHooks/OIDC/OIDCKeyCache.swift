import KcdCore
import KcdCrypto
import KcdJSON
import Synchronization

/// The signing keys of configured issuers, found through OpenID discovery
/// (`<issuer>/.well-known/openid-configuration` → `jwks_uri`) and cached. A token naming a
/// `kid` the cache does not know triggers a refresh (the issuer rotated its keys), keys older
/// than `maximumAge` are refreshed too, and each issuer is fetched at most once per its
/// `refreshSeconds` whatever tokens arrive. Only issuers from kcd's configuration are ever
/// fetched: the caller looks a token's `iss` up first.
public final class OIDCKeyCache: Sendable {
  /// GETs `url` for `issuer` (over HTTPS, trusting the issuer's `caFile` when set); throws on
  /// anything but 2xx.
  public typealias Fetch = @Sendable (_ issuer: OIDCIssuer, _ url: String) throws -> [UInt8]

  struct Entry {
    var keys: JWSKeySet?
    var fetchedAt = -Double.infinity
    var attemptedAt = -Double.infinity
  }

  public static let maximumAge: Double = 3600
  let fetch: Fetch
  let clock: @Sendable () -> Double
  let log: Logger
  let entries = Mutex<[String: Entry]>([:])

  public init(fetch: @escaping Fetch, log: Logger, clock: @escaping @Sendable () -> Double = monotonicSeconds) {
    self.fetch = fetch
    self.log = log
    self.clock = clock
  }

  /// The issuer's keys that may have signed a token with this `kid` and algorithm. Throws 401
  /// when none does (after the refresh the rate allows), 503 when kcd has never had the
  /// issuer's keys (the sender retries).
  public func candidates(_ issuer: OIDCIssuer, kid: String?, algorithm: JWSAlgorithm) throws(HookRejection) -> [JWSKey] {
    let now = clock()
    let (cached, refresh) = entries.withLock { all -> (JWSKeySet?, Bool) in
      var entry = all[issuer.issuer] ?? Entry()
      let known = entry.keys.map { !$0.candidates(kid: kid, algorithm: algorithm).isEmpty } ?? false
      guard !known || now - entry.fetchedAt >= OIDCKeyCache.maximumAge, now - entry.attemptedAt >= issuer.refreshSeconds else {
        return (entry.keys, false)
      }
      // The slot is taken before fetching, so concurrent tokens cause one fetch.
      entry.attemptedAt = now
      all[issuer.issuer] = entry
      return (entry.keys, true)
    }
    var keys = cached
    if refresh {
      do {
        let fresh = try load(issuer)
        keys = fresh
        entries.withLock {
          $0[issuer.issuer]?.keys = fresh
          $0[issuer.issuer]?.fetchedAt = now
        }
        log.info("oidc keys fetched", [("issuer", issuer.issuer), ("keys", String(fresh.keys.count))])
      } catch {
        log.warn("oidc keys could not be fetched", [("issuer", issuer.issuer), ("error", String(describing: error))])
      }
    }
    guard let keys else { throw HookRejection(503, "the issuer's signing keys are not available; retry later") }
    let found = keys.candidates(kid: kid, algorithm: algorithm)
    guard !found.isEmpty else { throw .unauthorized("no key of the issuer matches the token's kid and alg") }
    return found
  }

  /// Discovery, then the JWKS it names. The discovery document must name the configured
  /// issuer exactly, and its keys must come over HTTPS.
  func load(_ issuer: OIDCIssuer) throws -> JWSKeySet {
    let discovery = try JSON.parse(try fetch(issuer, issuer.discoveryURL))
    guard discovery["issuer"].stringValue == issuer.issuer else {
      throw CryptoError("the discovery document names another issuer")
    }
    guard let jwks = discovery["jwks_uri"].stringValue, jwks.hasPrefix("https://") else {
      throw CryptoError("the discovery document has no https jwks_uri")
    }
    return try JWSKeySet(document: try fetch(issuer, jwks))
  }
}
