/// The JWS algorithms kcd accepts for OIDC ID tokens: RS256 and ES256, which every CI issuer
/// signs with. Anything else — `none`, the HMAC family (an HS256 token "signed" with a public
/// key), PS*, ES384 … — has no case here, so it cannot be chosen by a token's header.
public enum JWSAlgorithm: String, Sendable, Equatable, CaseIterable {
  case rs256 = "RS256"
  case es256 = "ES256"
}
