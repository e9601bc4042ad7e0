import KcdCore
import KcdCrypto
import KcdJSON
import Testing

/// RS256 tokens signed by the openssl CLI with a key made for the test, checked against a JWKS
/// built from that key's modulus.
@Suite struct JWTTests {
  let fx = OpenSSLFixtures.shared
  let now = 1_700_000_000.0

  static func b64url(_ bytes: [UInt8]) -> String {
    String(Base64.encode(bytes).compactMap { c -> Character? in c == "+" ? "-" : c == "/" ? "_" : c == "=" ? nil : c })
  }

  func token(header: JSON = ["alg": "RS256", "kid": "k1", "typ": "JWT"], claims: [String: JSON] = [:], key: String = "leaf.key") throws -> String {
    var c: [String: JSON] = [
      "iss": "https://accounts.google.com", "aud": "https://kcd.example/hooks/gcr", "email": "push@p.iam.gserviceaccount.com",
      "email_verified": true, "exp": .int(Int64(now) + 3000), "iat": .int(Int64(now) - 600), "sub": "1",
    ]
    for (k, v) in claims { c[k] = v }
    let input = Self.b64url(header.serialized()) + "." + Self.b64url(JSON.object(c).serialized())
    return input + "." + Self.b64url(try fx.sign(input, key: key))
  }

  func jwks(kid: String = "k1", key: String = "leaf.key") throws -> [UInt8] {
    let n = Self.b64url(try fx.modulus(key))
    return Array(#"{"keys":[{"kty":"EC","kid":"ec"},{"kty":"RSA","alg":"RS256","use":"sig","kid":"\#(kid)","n":"\#(n)","e":"AQAB"}]}"#.utf8)
  }

  var expect: JWT.Expectations { .google(audiences: ["https://kcd.example/hooks/gcr"], emails: ["push@p.iam.gserviceaccount.com"]) }

  @Test("a good token verifies and yields its claims")
  func good() throws {
    let claims = try JWT.verify(try token(), keys: try JWT.KeySet(document: try jwks()), expect: expect, now: now)
    #expect(claims["email"].stringValue == "push@p.iam.gserviceaccount.com")
    let decoded = try JWT.decode(try token())
    #expect(decoded.keyID == "k1")
    #expect(decoded.algorithm == "RS256")
    // The other accepted issuer spelling, and aud as a list.
    _ = try JWT.verify(try token(claims: ["iss": "accounts.google.com", "aud": ["x", "https://kcd.example/hooks/gcr"]]),
                       keys: try JWT.KeySet(document: try jwks()), expect: expect, now: now)
  }

  @Test("claims that fail", arguments: [
    ("iss", JSON.string("https://evil.example"), "the token's issuer is not accepted"),
    ("aud", JSON.string("https://other.example"), "the token's audience is not accepted"),
    ("email", JSON.string("someone@evil.example"), "the token's email is not accepted"),
    ("email_verified", JSON.bool(false), "the token's email is not verified"),
    ("exp", JSON.int(1_700_000_000 - 61), "the token has expired"),
    ("exp", JSON.null, "the token has no exp"),
    ("iat", JSON.int(1_700_000_000 + 120), "the token is issued in the future"),
    ("nbf", JSON.int(1_700_000_000 + 120), "the token is not valid yet"),
  ])
  func badClaims(name: String, value: JSON, message: String) throws {
    let t = try token(claims: [name: value])
    #expect(throws: CryptoError(message)) { try JWT.verify(t, keys: try JWT.KeySet(document: try jwks()), expect: expect, now: now) }
  }

  @Test("expiry tolerates the clock skew and no more")
  func skew() throws {
    let keys = try JWT.KeySet(document: try jwks())
    _ = try JWT.verify(try token(claims: ["exp": .int(Int64(now) - 59)]), keys: keys, expect: expect, now: now)
    #expect(throws: CryptoError.self) { try JWT.verify(try token(claims: ["exp": .int(Int64(now) - 61)]), keys: keys, expect: expect, now: now) }
  }

  @Test("signatures and headers that fail")
  func badSignatures() throws {
    let keys = try JWT.KeySet(document: try jwks())
    // Signed by another key under the same kid.
    #expect(throws: CryptoError("the token signature does not verify")) { try JWT.verify(try token(key: "int.key"), keys: keys, expect: expect, now: now) }
    #expect(throws: CryptoError("no key with the token's kid")) {
      try JWT.verify(try token(header: ["alg": "RS256", "kid": "k2"]), keys: keys, expect: expect, now: now)
    }
    #expect(throws: CryptoError("the token is not RS256")) { try JWT.verify(try token(header: ["alg": "HS256", "kid": "k1"]), keys: keys, expect: expect, now: now) }
    #expect(throws: CryptoError("the token is not RS256")) { try JWT.verify(try token(header: ["alg": "none"]), keys: keys, expect: expect, now: now) }
    // A changed payload under the original signature.
    let parts = try token().split(separator: ".").map(String.init)
    let forged = parts[0] + "." + Self.b64url(JSON.object(["iss": "https://accounts.google.com"]).serialized()) + "." + parts[2]
    #expect(throws: CryptoError("the token signature does not verify")) { try JWT.verify(forged, keys: keys, expect: expect, now: now) }
    // Without a kid every key is tried.
    _ = try JWT.verify(try token(header: ["alg": "RS256"]), keys: keys, expect: expect, now: now)
  }

  @Test("malformed tokens", arguments: ["", "a.b", "a.b.c.d", "e30.e30.", "e30=.e30.AAAA", "!!.e30.AAAA", "WyJ4Il0.e30.AAAA"])
  func malformed(text: String) {
    #expect(throws: CryptoError.self) { try JWT.decode(text) }
  }

  @Test("key sets: JWKS, Google's PEM form, and refusals")
  func keySets() throws {
    let pemForm = JSON.object(["k9": .string(fx.text("leaf.pem"))]).serialized()
    let set = try JWT.KeySet(document: pemForm)
    #expect(set.keys.map(\.id) == ["k9"])
    _ = try JWT.verify(try token(header: ["alg": "RS256", "kid": "k9"]), keys: set, expect: expect, now: now)
    #expect(throws: CryptoError.self) { try JWT.KeySet(document: Array("[]".utf8)) }
    #expect(throws: CryptoError.self) { try JWT.KeySet(document: Array(#"{"keys":[]}"#.utf8)) }
    #expect(throws: CryptoError.self) { try JWT.KeySet(document: Array(#"{"keys":[{"kty":"RSA","n":"!!","e":"AQAB"}]}"#.utf8)) }
  }
}
