import KcdCore
import KcdJSON

extension JWT {
  /// Verification keys by key id: a JWKS document (`{"keys":[{"kty":"RSA","kid","n","e"}]}`,
  /// Google's `oauth2/v3/certs`) or Google's PEM form (`{"<kid>": "-----BEGIN CERTIFICATE-----…"}`,
  /// `oauth2/v1/certs`).
  public struct KeySet: Sendable {
    public let keys: [Entry]

    public struct Entry: Sendable {
      public let id: String?
      public let verifier: RSAVerifier
      public init(id: String?, verifier: RSAVerifier) { self.id = id; self.verifier = verifier }
    }

    public init(keys: [Entry]) { self.keys = keys }

    /// Parses either document form. RSA keys meant for signatures are kept; others are skipped,
    /// and a document with no usable key is refused.
    public init(document: [UInt8]) throws(CryptoError) {
      guard let json = try? JSON.parse(document), let object = json.objectValue else {
        throw CryptoError("the key set is not a JSON object")
      }
      var entries: [Entry] = []
      if let list = json["keys"].arrayValue {
        for jwk in list where jwk["kty"].stringValue == "RSA" && (jwk["use"].isNull || jwk["use"].stringValue == "sig") {
          if let alg = jwk["alg"].stringValue, alg != "RS256" { continue }
          guard let n = jwk["n"].stringValue.flatMap({ JWT.base64URL($0[...]) }),
                let e = jwk["e"].stringValue.flatMap({ JWT.base64URL($0[...]) }) else {
            throw CryptoError("a JWK has no valid n or e")
          }
          entries.append(Entry(id: jwk["kid"].stringValue, verifier: try RSAVerifier(modulus: n, exponent: e)))
        }
      } else {
        for (kid, value) in object.sorted(by: { $0.key < $1.key }) {
          guard let pem = value.stringValue else { throw CryptoError("the key set is neither JWKS nor PEM certificates") }
          entries.append(Entry(id: kid, verifier: try RSAVerifier(certificate: try Certificate(pem: pem))))
        }
      }
      guard !entries.isEmpty else { throw CryptoError("the key set holds no RSA signing key") }
      keys = entries
    }

    /// The key named by `kid`, or every key when the token names none.
    func verifiers(for kid: String?) throws(CryptoError) -> [RSAVerifier] {
      guard let kid else { return keys.map(\.verifier) }
      let matching = keys.filter { $0.id == kid }.map(\.verifier)
      guard !matching.isEmpty else { throw CryptoError("no key with the token's kid") }
      return matching
    }
  }
}
