import KcdCore
import KcdCrypto
import KcdHTTP
import KcdJSON
import Synchronization

/// A signing key of a test OIDC issuer, made with the `openssl` CLI (an implementation
/// independent of kcd's): RSA 2048 for RS256 or P-256 for ES256.
public struct OIDCTestKey: Sendable {
  public enum Kind: Sendable { case rsa, ec }
  public let kid: String
  public let kind: Kind
  public let privateKeyPath: String
  /// The public key as PEM text (what an HS256 confusion attack would use as its "secret").
  public let publicPEM: String
  /// The key's JWK as the issuer publishes it.
  public let jwk: JSON
  public var algorithm: String { kind == .rsa ? "RS256" : "ES256" }

  public init(kid: String, kind: Kind, directory: String) throws {
    self.kid = kid
    self.kind = kind
    privateKeyPath = directory + "/\(kid).key"
    let pub = directory + "/\(kid).pub"
    switch kind {
    case .rsa:
      try OIDCTestKey.openssl(["genrsa", "-out", privateKeyPath, "2048"])
      try OIDCTestKey.openssl(["rsa", "-in", privateKeyPath, "-pubout", "-out", pub])
      let out = try OIDCTestKey.openssl(["rsa", "-in", privateKeyPath, "-noout", "-modulus"])
      guard let eq = out.firstIndex(of: "="), let n = Digest.fromHex(String(out[out.index(after: eq)...].filter { !$0.isWhitespace })) else {
        throw SubprocessError(description: "no modulus")
      }
      jwk = ["kty": "RSA", "kid": .string(kid), "use": "sig", "alg": "RS256", "n": .string(OIDCTestKey.base64URL(n)), "e": "AQAB"]
    case .ec:
      try OIDCTestKey.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", privateKeyPath])
      try OIDCTestKey.openssl(["ec", "-in", privateKeyPath, "-pubout", "-out", pub])
      try OIDCTestKey.openssl(["ec", "-in", privateKeyPath, "-pubout", "-outform", "DER", "-out", pub + ".der"])
      let der = TestEnvironment.readBytes(pub + ".der") ?? []
      guard der.count == 91 else { throw SubprocessError(description: "unexpected P-256 public key") }
      jwk = ["kty": "EC", "kid": .string(kid), "use": "sig", "crv": "P-256",
             "x": .string(OIDCTestKey.base64URL(der[27..<59])), "y": .string(OIDCTestKey.base64URL(der[59..<91]))]
    }
    publicPEM = TestEnvironment.read(pub) ?? ""
  }

  /// A compact JWS of `claims` signed with this key (`header` fields override the default
  /// `alg`, `kid` and `typ`).
  public func sign(_ claims: JSON, header: [String: JSON] = [:]) throws -> String {
    var h: JSON = ["alg": .string(algorithm), "kid": .string(kid), "typ": "JWT"]
    for (k, v) in header { h[k] = v }
    let input = OIDCTestKey.base64URL(Array(h.text.utf8)) + "." + OIDCTestKey.base64URL(Array(claims.text.utf8))
    let path = TestEnvironment.makeTemporaryDirectory("kcd-jws") + "/input"
    TestEnvironment.write(input, to: path)
    try OIDCTestKey.openssl(["dgst", "-sha256", "-sign", privateKeyPath, "-out", path + ".sig", path])
    var signature = TestEnvironment.readBytes(path + ".sig") ?? []
    if kind == .ec {
      guard let raw = ECDSASignature.raw(der: signature) else { throw SubprocessError(description: "not a DER ECDSA signature") }
      signature = raw
    }
    return input + "." + OIDCTestKey.base64URL(signature)
  }

  /// Unpadded base64url.
  public static func base64URL(_ bytes: some Collection<UInt8>) -> String {
    String(Base64.encode(Array(bytes)).compactMap { c -> Character? in c == "+" ? "-" : c == "/" ? "_" : c == "=" ? nil : c })
  }

  @discardableResult
  static func openssl(_ args: [String]) throws -> String {
    let r = try Subprocess.run(["openssl"] + args, timeout: 30)
    guard r.status == 0 else { throw SubprocessError(description: "openssl \(args.first ?? ""): \(r)") }
    return r.stdout
  }
}

/// An OIDC issuer on loopback: discovery and JWKS over HTTPS with a certificate from a CA made
/// here (written to `caPath` for kcd's `caFile`). What it publishes can change (key rotation);
/// it counts the fetches it answers.
public final class OIDCTestIssuer: Sendable {
  /// What the issuer serves, shared with its handler.
  final class State: Sendable {
    let keys: Mutex<[JSON]>
    let fetches = Mutex(0)
    let url = Mutex("")
    init(_ keys: [JSON]) { self.keys = Mutex(keys) }
  }

  public let server: HTTPServer
  public let caPath: String
  public let url: String
  let state: State

  public init(publishing keys: [OIDCTestKey], directory: String) throws {
    let authority = try TLSIdentity.certificateAuthority(commonName: "kcd oidc test CA")
    let leaf = try TLSIdentity.leaf(commonName: "oidc issuer", subjectAltNames: ["IP:127.0.0.1", "DNS:localhost"], issuer: authority)
    caPath = directory + "/oidc-ca.pem"
    TestEnvironment.write(authority.certificateChainPEM, to: caPath)
    let state = State(keys.map(\.jwk))
    self.state = state
    var configuration = HTTPServerConfiguration(address: "127.0.0.1:0")
    configuration.tls = try TLSServerContext(identity: leaf)
    server = try HTTPServer(configuration: configuration, handler: HTTPClosureHandler { request in
      state.fetches.withLock { $0 += 1 }
      let issuer = state.url.withLock { $0 }
      switch request.path {
      case "/.well-known/openid-configuration":
        return .json(200, ["issuer": .string(issuer), "jwks_uri": .string(issuer + "/jwks")])
      case "/jwks":
        return .json(200, ["keys": .array(state.keys.withLock { $0 })])
      default:
        return .json(404, ["error": "not found"])
      }
    })
    url = "https://127.0.0.1:\(server.port)"
    state.url.withLock { $0 = url }
  }

  /// Replaces the published keys (a rotation).
  public func publish(_ keys: [OIDCTestKey]) { state.keys.withLock { $0 = keys.map(\.jwk) } }

  /// Discovery and JWKS requests answered so far.
  public var fetches: Int { state.fetches.withLock { $0 } }

  deinit { server.shutdown(grace: 1) }
}
