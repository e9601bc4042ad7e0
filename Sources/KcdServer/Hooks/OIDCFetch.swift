import KcdCore
import KcdHTTP
import KcdHooks
import KcdKube

/// Discovery and JWKS fetches for the configured OIDC issuers: HTTPS only, through kcd's HTTP
/// client, trusting the issuer's `caFile` when it names one (one client per issuer, so its
/// connections and TLS sessions are reused).
enum OIDCFetch {
  static func verifier(_ issuers: [OIDCIssuer], log: Logger) -> OIDCVerifier? {
    guard !issuers.isEmpty else { return nil }
    var clients: [String: HTTPClient] = [:]
    for issuer in issuers {
      var tls = TLSClientOptions()
      tls.caFile = issuer.caFile
      clients[issuer.issuer] = HTTPClient(tls: tls, userAgent: "kcd/\(KcdVersion.current)")
    }
    let fixed = clients
    let keys = OIDCKeyCache(fetch: { issuer, url in
      guard url.hasPrefix("https://"), let client = fixed[issuer.issuer] else { throw FileError("\(url) is not an https URL of a configured issuer") }
      var request = HTTPClientRequest(method: "GET", url: url)
      request.headers.set("Accept", "application/json")
      request.timeout = 10
      request.maximumBodyBytes = 256 << 10
      let response = try client.send(request)
      guard (200..<300).contains(response.status) else { throw FileError("GET \(url) answered \(response.status)") }
      return response.body
    }, log: log)
    return OIDCVerifier(issuers: issuers, keys: keys, log: log)
  }
}
