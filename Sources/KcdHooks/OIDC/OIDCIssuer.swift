/// One trusted OIDC issuer of CI ID tokens (kcd's config file, `oidc:`): its exact `iss`, the
/// audience its tokens must carry for kcd, the claim rules that all must hold, and optionally
/// the KCDs its identities may roll out.
public struct OIDCIssuer: Sendable, Equatable {
  /// The issuer URL exactly as tokens and its discovery document spell it.
  public var issuer: String
  public var audience: String
  /// At least one (an issuer such as GitHub's serves every repository on GitHub).
  public var claims: [ClaimRule]
  /// nil: any KCD.
  public var kcds: KCDScope?
  /// PEM CA bundle trusted for this issuer's discovery and JWKS fetches (nil: the system's).
  public var caFile: String?
  /// At most one discovery + JWKS fetch per this many seconds (forged `kid`s cannot make kcd
  /// hammer the issuer).
  public var refreshSeconds: Double = 30

  public init(issuer: String, audience: String, claims: [ClaimRule], kcds: KCDScope? = nil, caFile: String? = nil) {
    self.issuer = issuer
    self.audience = audience
    self.claims = claims
    self.kcds = kcds
    self.caFile = caFile
  }

  /// `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4).
  public var discoveryURL: String {
    var base = issuer
    while base.hasSuffix("/") { base.removeLast() }
    return base + "/.well-known/openid-configuration"
  }
}
